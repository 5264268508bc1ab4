#!/bin/bash
set -e
sudo apt-get install nginx
