#!/bin/bash
sudo apt-get install nginx
