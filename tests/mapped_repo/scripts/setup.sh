#!/bin/bash
# A script a template runs through scriptUri; aiblint lints it through script-roots.
set -euo pipefail
sudo apt-get update
sudo apt-get install nginx
if [[ -f /etc/nginx/nginx.conf ]]; then
  echo "configured"
fi
