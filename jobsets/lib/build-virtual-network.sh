exec /usr/bin/node "$builderModule"
