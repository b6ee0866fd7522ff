# Sourced by scripts/bench-poll and scripts/bench-soak: serve a generated corpus with
# Debian's nginx on 127.0.0.1, as the current user, in the foreground ("daemon off") under
# the calling script's control.
#
#   bench_nginx_start CORPUS_DIR FIRST_PORT PORTS   # sets BENCH_NGINX_PID
#   bench_nginx_stop
#
# nginx listens on FIRST_PORT .. FIRST_PORT+PORTS-1 (the generator spreads the sites over
# them, one "host" each for politeness), serves CORPUS_DIR/www (a symlink to gen1 or gen2)
# with ETag and Last-Modified on, and gzips HTML and XML as government sites do.

bench_nginx_start() {
  local corpus=$1 first_port=$2 ports=$3
  local prefix="$corpus/nginx"
  rm -rf "$prefix"
  mkdir -p "$prefix/logs" "$prefix/tmp"
  local listens="" port
  for ((port = first_port; port < first_port + ports; port++)); do
    listens+="    listen 127.0.0.1:$port;"$'\n'
  done
  cat > "$prefix/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $prefix/tmp/body;
    proxy_temp_path $prefix/tmp/proxy;
    fastcgi_temp_path $prefix/tmp/fastcgi;
    uwsgi_temp_path $prefix/tmp/uwsgi;
    scgi_temp_path $prefix/tmp/scgi;
    sendfile on;
    keepalive_timeout 65;
    etag on;
    if_modified_since exact;
    gzip on;
    gzip_comp_level 6;
    gzip_min_length 256;
    gzip_types text/xml application/xml application/rss+xml application/atom+xml;
    server {
$listens
        server_name localhost;
        # The www symlink is resolved per request, so switching generations needs no reload;
        # "disable_symlinks off" is nginx's default, kept explicit for that reason.
        disable_symlinks off;
        root $corpus/www;
        # The CMS pages are "rss.xml"/"atom.xml": serve them with their feed media types.
        location ~ /rss\.xml\$ { types { } default_type application/rss+xml; }
        location ~ /atom\.xml\$ { types { } default_type application/atom+xml; }
    }
}
EOF
  # nginx wants to open its default error log before reading -e on 1.22; -e takes care of it.
  nginx -e "$prefix/logs/error.log" -p "$prefix" -c "$prefix/nginx.conf" &
  BENCH_NGINX_PID=$!
  local tries=0
  until curl -fsS -o /dev/null "http://127.0.0.1:$first_port/robots.txt" 2>/dev/null; do
    if ! kill -0 "$BENCH_NGINX_PID" 2>/dev/null || ((++tries > 100)); then
      echo "bench: nginx did not start; see $prefix/logs/error.log" >&2
      cat "$prefix/logs/error.log" >&2 || true
      return 1
    fi
    sleep 0.1
  done
}

bench_nginx_stop() {
  if [[ -n ${BENCH_NGINX_PID:-} ]]; then
    kill "$BENCH_NGINX_PID" 2>/dev/null || true
    wait "$BENCH_NGINX_PID" 2>/dev/null || true
    BENCH_NGINX_PID=
  fi
}

# Points CORPUS_DIR/www at generation N (atomically: a new symlink renamed over the old).
bench_switch_generation() {
  local corpus=$1 generation=$2
  ln -sfn "gen$generation" "$corpus/www.new"
  mv -Tf "$corpus/www.new" "$corpus/www"
}
