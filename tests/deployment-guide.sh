#!/usr/bin/env bash
# docs/deployment.md's nginx and certbot steps, followed as written, in a
# throwaway copy of Debian's nginx configuration (/etc/nginx copied into a
# temporary folder, its paths moved there, Debian's default site enabled):
#   (a) before certbot: the guide's `before-certbot` block runs with no
#       certificate anywhere; `nginx -t` accepts the result, and nginx serves
#       an ACME challenge file on port 80 without redirecting;
#   (b) after certbot: the `certbot` block (certbot replaced by a self-signed
#       certificate where Let's Encrypt puts one) and the `after-certbot`
#       block; `nginx -t` accepts the result, port 80 still serves the
#       challenge (renewals) and sends the rest to https, and port 443
#       answers with that certificate over HTTP/2;
#   (c) the test can fail: the `after-certbot` block in a tree without the
#       certificate must be refused by `nginx -t`;
#   (d) the `systemd-unit` block passes `systemd-analyze verify` (skipped
#       where systemd-analyze does not work, e.g. some containers).
#
# A block is the fenced block right after a `<!-- deployment-guide: NAME -->`
# line. Blocks run with sudo, apt-get, systemctl, certbot and nginx replaced
# by stand-ins (tests/deployment-guide.sh itself, below), and with the paths
# they name (/etc/nginx, /etc/letsencrypt, /var/www/letsencrypt) moved into
# the temporary tree; a block that still names a system path after that is
# refused before it runs. nginx runs for real only on free loopback ports.
# Without nginx this prints SKIPPED, unless CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

guide=docs/deployment.md

fail() {
  echo "FAILED: $*" >&2
  exit 1
}

nginx_bin=$(command -v nginx || true)
if [ -z "$nginx_bin" ] && [ -x /usr/sbin/nginx ]; then
  nginx_bin=/usr/sbin/nginx
fi
if [ -z "$nginx_bin" ] || [ ! -f /etc/nginx/nginx.conf ]; then
  if [ "${CI:-}" = "true" ]; then
    fail "CI needs Debian's nginx for the deployment guide test (.ci/setup --browser installs it)"
  fi
  echo
  echo "*************************************************************************"
  echo "*** SKIPPED: deployment guide test (Debian's nginx is not installed)"
  echo "*************************************************************************"
  echo
  exit 0
fi
for tool in openssl curl python3; do
  command -v "$tool" >/dev/null || fail "the deployment guide test needs $tool"
done
# Debian builds nginx with --prefix=/usr/share/nginx; `load_module modules/…`
# is relative to it.
nginx_prefix=$("$nginx_bin" -V 2>&1 | tr ' ' '\n' | sed -n 's/^--prefix=//p')
nginx_prefix=${nginx_prefix:-/usr/share/nginx}
# nginx -t opens the ports it tests (80, 443; one already in use is fine).
# Only root may, so other users test in a user and network namespace of
# their own, where they are root, with `user root;` in place of Debian's
# `user www-data;` (a user that does not exist there).
wrap=""
if [ "$(id -u)" -ne 0 ]; then
  unshare --user --map-root-user --net true 2>/dev/null ||
    fail "nginx -t binds ports 80 and 443: run this as root (or where unshare --user --net works)"
  wrap="unshare --user --map-root-user --net"
fi
# Without IPv6 in the kernel, nginx cannot open [::]:80; the guide says to
# drop those lines then, and so does the test.
ipv6=true
python3 -c 'import socket; socket.socket(socket.AF_INET6)' 2>/dev/null || ipv6=false

work=$(mktemp -d)
nginx_pid=
cleanup() {
  if [ -n "$nginx_pid" ]; then
    kill "$nginx_pid" 2>/dev/null || true
    wait "$nginx_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The fenced block after `<!-- deployment-guide: NAME -->`: exactly one such
# marker, directly followed by the fence.
block() {
  local name=$1 text status=0
  text=$(awk -v want="<!-- deployment-guide: $1 -->" '
    state == 1 { if ($0 ~ /^```/) { state = 2; next } bad = 1; state = 0 }
    state == 2 { if ($0 ~ /^```[[:space:]]*$/) { state = 3; next } print; next }
    $0 == want { count++; if (state == 0) state = 1 }
    END { if (count != 1) exit 2; if (bad || state != 3) exit 3 }
  ' "$guide") || status=$?
  case $status in
    0) printf '%s\n' "$text" ;;
    2) fail "$guide needs exactly one '<!-- deployment-guide: $name -->' line" ;;
    *) fail "in $guide, '<!-- deployment-guide: $name -->' must be followed by a fenced block" ;;
  esac
}

# Moves the system paths the guide and Debian's nginx.conf name into TREE.
sandbox_paths() {
  local tree=$1 path
  local args=()
  for path in /etc/nginx /etc/letsencrypt /var/www/letsencrypt /var/log/nginx /run/nginx.pid; do
    args+=(-e "s#(^|[^[:alnum:]_./-])$path#\\1$tree$path#g")
  done
  sed -E "${args[@]}"
}

# Refuses a block that would still touch the real system.
confined() {
  local tree=$1 name=$2 text=$3 leftover
  text=${text//"$tree"/TREE}
  leftover=$(printf '%s\n' "${text//\/dev\/null/NULL}" |
    grep -nE '(^|[^[:alnum:]_.-])/(etc|var|usr|opt|srv|run|home|root|boot|lib|bin|sbin|dev|sys|proc|mnt|media)(/|[[:space:];"'\'']|$)' || true)
  [ -z "$leftover" ] || fail "the guide's \"$name\" block names paths outside the test tree; not running it:
$leftover"
}

# A copy of Debian's /etc/nginx in TREE, as freshly installed: the default
# site enabled, no Vellum site, no certificates.
make_tree() {
  local tree=$1 link target
  mkdir -p "$tree/etc" "$tree/var/log/nginx" "$tree/var/lib/nginx" "$tree/run" "$tree/var/www"
  cp -a /etc/nginx "$tree/etc/nginx"
  rm -rf "$tree/etc/nginx/sites-enabled" "$tree/etc/nginx/sites-available/vellum"
  mkdir "$tree/etc/nginx/sites-enabled"
  # Other links (modules-enabled/*.conf point into /usr/share/nginx) become copies.
  while IFS= read -r link; do
    target=$(readlink -f "$link" || true)
    rm -f "$link"
    if [ -n "$target" ] && [ -f "$target" ]; then cp "$target" "$link"; fi
  done < <(find "$tree/etc/nginx" -type l)
  if [ ! -f "$tree/etc/nginx/sites-available/default" ]; then
    printf 'server {\n\tlisten 80 default_server;\n\tlisten [::]:80 default_server;\n\troot /var/www/html;\n\tserver_name _;\n}\n' \
      >"$tree/etc/nginx/sites-available/default"
  fi
  ln -s "$tree/etc/nginx/sites-available/default" "$tree/etc/nginx/sites-enabled/default"
  find "$tree/etc/nginx" -type f -exec sed -E -i \
    -e "s#(^|[^[:alnum:]_./-])/etc/nginx#\\1$tree/etc/nginx#g" \
    -e "s#(^|[^[:alnum:]_./-])/var/log/nginx#\\1$tree/var/log/nginx#g" \
    -e "s#(^|[^[:alnum:]_./-])/run/nginx\\.pid#\\1$tree/run/nginx.pid#g" \
    -e "s#^([[:space:]]*load_module[[:space:]]+)([^/[:space:]])#\\1$nginx_prefix/\\2#" {} +
  # nginx's own scratch folders, so that nothing outside the tree is touched.
  local temp=""
  for kind in client_body proxy fastcgi uwsgi scgi; do
    temp+=" ${kind}_temp_path $tree/var/lib/nginx/$kind;"
  done
  sed -E -i "s#^([[:space:]]*http[[:space:]]*\\{)#\\1$temp#" "$tree/etc/nginx/nginx.conf"
  if [ -n "$wrap" ]; then
    sed -E -i -e 's/^([[:space:]]*user[[:space:]])/# \1/' -e '1i user root;' "$tree/etc/nginx/nginx.conf"
  fi
  if ! $ipv6; then sed -E -i '/^[[:space:]]*listen[[:space:]]+\[::\]/d' "$tree/etc/nginx/sites-available/default"; fi
  grep -q "include $tree/etc/nginx/sites-enabled/" "$tree/etc/nginx/nginx.conf" ||
    fail "the copy of /etc/nginx/nginx.conf does not include $tree/etc/nginx/sites-enabled/ (not Debian's layout?)"
  grep -q "client_body_temp_path $tree/" "$tree/etc/nginx/nginx.conf" ||
    fail "could not find the http block in the copy of /etc/nginx/nginx.conf"
  : >"$tree/calls"
}

nginx_test() {
  $wrap "$nginx_bin" -t -p "$1/" -e "$1/var/log/nginx/error.log" -c "$1/etc/nginx/nginx.conf"
}

# Stand-ins for what would reach outside the tree; $tree, $nginx_bin and
# $wrap come from the environment.
cat >"$work/stand-ins.sh" <<'STANDINS'
set -euo pipefail
sudo() {
  case ${1:-} in -*) echo "stand-in sudo: no options here ($*)" >&2; exit 1 ;; esac
  "$@"
}
apt-get() { echo "      [stand-in] apt-get $*"; }
systemctl() {
  echo "      [stand-in] systemctl $*"
  echo "systemctl $*" >>"$tree/calls"
}
nginx() {
  local out
  if ! out=$($wrap "$nginx_bin" -p "$tree/" -e "$tree/var/log/nginx/error.log" -c "$tree/etc/nginx/nginx.conf" "$@" 2>&1); then
    sed 's/^/      /' <<<"$out" >&2
    echo "      nginx $* refused the configuration" >&2
    exit 1
  fi
  sed 's/^/      /' <<<"$out"
  echo "nginx $*" >>"$tree/calls"
}
certbot() {
  local verb=${1:-} webroot="" domain="" hook="" plugin=false live
  shift || true
  while [ $# -gt 0 ]; do
    case $1 in
      --webroot) plugin=true; shift ;;
      -w | --webroot-path) webroot=$2; shift 2 ;;
      -d | --domain | --domains) domain=$2; shift 2 ;;
      --deploy-hook) hook=$2; shift 2 ;;
      *) shift ;;
    esac
  done
  if [ "$verb" != certonly ] || ! $plugin; then
    echo "stand-in certbot: expected 'certbot certonly --webroot …'" >&2; exit 1
  fi
  [ -d "$webroot" ] || { echo "stand-in certbot: the webroot '$webroot' does not exist" >&2; exit 1; }
  [ -n "$domain" ] || { echo "stand-in certbot: no -d DOMAIN" >&2; exit 1; }
  case $hook in
    *"reload nginx"*) ;;
    *) echo "stand-in certbot: renewed certificates need --deploy-hook \"systemctl reload nginx\"" >&2; exit 1 ;;
  esac
  live=$tree/etc/letsencrypt/live/$domain
  mkdir -p "$live"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$domain" \
    -addext "subjectAltName=DNS:$domain" \
    -keyout "$live/privkey.pem" -out "$live/fullchain.pem" 2>/dev/null
  echo "      [stand-in] certbot: self-signed certificate for $domain in $live"
  echo "      [stand-in] certbot: webroot $webroot, deploy hook: $hook"
  echo "certbot $verb $domain" >>"$tree/calls"
}
STANDINS

# Runs the guide's block NAME in TREE (its paths moved there).
run_block() {
  local name=$1 tree=$2 text
  text=$(block "$name")
  text=$(sandbox_paths "$tree" <<<"$text")
  confined "$tree" "$name" "$text"
  if ! $ipv6; then
    text=$(sed -E '/^[[:space:]]*listen[[:space:]]+\[::\]/d' <<<"$text")
    echo "    (no IPv6 here: the [::] listen lines dropped, as the guide says)"
  fi
  printf '%s\n' "$text" >"$tree/guide-$name.sh"
  echo "    the guide's \"$name\" block:"
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
  env tree="$tree" nginx_bin="$nginx_bin" wrap="$wrap" \
    bash -c '. "$1"; . "$2"' _ "$work/stand-ins.sh" "$tree/guide-$name.sh"
}

# What certbot is told in the guide's `certbot` block (-w or -d), in TREE.
certbot_arg() {
  # shellcheck disable=SC1003 # tr reads '\\' as one backslash: lines joined
  sandbox_paths "$2" < <(block certbot) | tr -d '\\' | tr '\n' ' ' |
    sed -nE "s/.*certbot .*(^|[[:space:]])$1[[:space:]]+([^[:space:]]+).*/\\2/p"
}

# Starts TREE's enabled sites under a real nginx, on free loopback ports
# instead of 80 and 443, and checks what answers. STAGE: before or after.
serve_check() {
  local tree=$1 stage=$2 run=$1/serve p80 p443 site webroot domain token code location version
  p80=$(free_port)
  p443=$(free_port)
  mkdir -p "$run/sites"
  for site in "$tree"/etc/nginx/sites-enabled/*; do
    sed -E -e '/^[[:space:]]*listen[[:space:]]+\[::\]/d' \
      -e "s/^([[:space:]]*listen[[:space:]]+)80([[:space:];])/\\1127.0.0.1:$p80\\2/" \
      -e "s/^([[:space:]]*listen[[:space:]]+)443([[:space:];])/\\1127.0.0.1:$p443\\2/" \
      "$site" >"$run/sites/$(basename "$site")"
  done
  if grep -nE '^[[:space:]]*listen' "$run"/sites/* | grep -v '127\.0\.0\.1:'; then
    fail "cannot move these listen lines to loopback ports for the check"
  fi
  # Not root: no namespace here (the ports are free ones), so no `user` line.
  sed -e "s#include $tree/etc/nginx/sites-enabled/#include $run/sites/#" \
    -e "${wrap:+/^user root;\$/d}" "$tree/etc/nginx/nginx.conf" >"$run/nginx.conf"

  webroot=$(certbot_arg -w "$tree")
  domain=$(certbot_arg -d "$tree")
  if [ -z "$webroot" ] || [ -z "$domain" ]; then
    fail "cannot read -w and -d from the guide's certbot block"
  fi
  case $webroot in
    "$tree"/*) ;;
    *) fail "the guide's certbot block names the webroot $webroot, which the test does not move into its tree (it moves /var/www/letsencrypt)" ;;
  esac
  token=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  mkdir -p "$webroot/.well-known/acme-challenge"
  printf '%s.key' "$token" >"$webroot/.well-known/acme-challenge/$token"

  "$nginx_bin" -p "$run/" -e "$run/error.log" -c "$run/nginx.conf" -g 'daemon off; master_process off;' &
  nginx_pid=$!
  for _ in $(seq 1 50); do
    curl -s -o /dev/null "http://127.0.0.1:$p80/" && break
    kill -0 "$nginx_pid" 2>/dev/null || { cat "$run/error.log" >&2; fail "nginx did not start for the $stage-certbot check"; }
    sleep 0.1
  done

  code=$(curl -s -o "$run/body" -w '%{http_code}' -H "Host: $domain" \
    "http://127.0.0.1:$p80/.well-known/acme-challenge/$token")
  if [ "$code" != 200 ] || [ "$(cat "$run/body")" != "$token.key" ]; then
    fail "$stage certbot, port 80 does not serve the ACME challenge from $webroot (HTTP $code): certbot's http-01 check would fail"
  fi
  echo "    port 80 serves /.well-known/acme-challenge/ from certbot's webroot (HTTP 200)"

  read -r code location < <(curl -s -o /dev/null -w '%{http_code} %{redirect_url}\n' -H "Host: $domain" \
    "http://127.0.0.1:$p80/posts/hello?page=2")
  if [ "$stage" = before ]; then
    case $code in
      3*) fail "before certbot, port 80 redirects ($code to $location) although there is no HTTPS yet" ;;
    esac
    echo "    port 80 answers everything else without a redirect (HTTP $code)"
  else
    if [ "$code" != 301 ] || [ "$location" != "https://$domain/posts/hello?page=2" ]; then
      fail "after certbot, port 80 should send /posts/hello?page=2 to https://$domain/posts/hello?page=2, got $code $location"
    fi
    echo "    port 80 sends everything else to https://$domain (HTTP 301)"
    version=$(curl -s -o /dev/null -w '%{http_version}' --http2 \
      --cacert "$tree/etc/letsencrypt/live/$domain/fullchain.pem" \
      --resolve "$domain:$p443:127.0.0.1" "https://$domain:$p443/healthz" || true)
    [ "$version" = 2 ] ||
      fail "after certbot, port 443 does not answer over TLS with the certificate from /etc/letsencrypt/live/$domain over HTTP/2 (got '$version')"
    echo "    port 443 answers over TLS with the certificate in /etc/letsencrypt/live/$domain, HTTP/2"
  fi

  kill "$nginx_pid"
  wait "$nginx_pid" 2>/dev/null || true
  nginx_pid=
  rm -rf "$run" "$webroot/.well-known/acme-challenge/$token"
}

echo "==> Deployment guide ($guide) with $("$nginx_bin" -v 2>&1), in $work${wrap:+ (nginx -t under $wrap)}"

tree=$work/guide
make_tree "$tree"
nginx_test "$tree" >/dev/null 2>&1 || { nginx_test "$tree" || true; fail "nginx -t refuses the untouched copy of /etc/nginx"; }
echo "  the untouched copy of Debian's /etc/nginx passes nginx -t"

echo "==> (a) before certbot: no certificate exists"
[ ! -e "$tree/etc/letsencrypt" ] || fail "the tree already holds /etc/letsencrypt"
run_block before-certbot "$tree"
grep -qx "nginx -t" "$tree/calls" || fail "the before-certbot block does not run nginx -t"
if [ ! -L "$tree/etc/nginx/sites-enabled/vellum" ] ||
  [ "$(readlink -f "$tree/etc/nginx/sites-enabled/vellum")" != "$tree/etc/nginx/sites-available/vellum" ]; then
  fail "the before-certbot block does not enable sites-available/vellum with a link in sites-enabled"
fi
[ ! -e "$tree/etc/nginx/sites-enabled/default" ] ||
  fail "the before-certbot block leaves Debian's default site enabled"
echo "  passed nginx -t; sites-enabled/vellum links to sites-available/vellum; the default site is gone"
serve_check "$tree" before

echo "==> (b) after certbot"
: >"$tree/calls"
run_block certbot "$tree"
domain=$(certbot_arg -d "$tree")
[ -s "$tree/etc/letsencrypt/live/$domain/fullchain.pem" ] || fail "no certificate after the certbot block"
run_block after-certbot "$tree"
grep -qx "nginx -t" "$tree/calls" || fail "the after-certbot block does not run nginx -t"
grep -q "ssl_certificate[[:space:]]*$tree/etc/letsencrypt/live/$domain/fullchain.pem" "$tree/etc/nginx/sites-available/vellum" ||
  fail "the after-certbot site does not use certbot's certificate for $domain"
echo "  passed nginx -t with the certificate at /etc/letsencrypt/live/$domain"
serve_check "$tree" after

echo "==> (c) the check can fail: the after-certbot block without the certificate"
bad=$work/no-certificate
make_tree "$bad"
run_block before-certbot "$bad" >/dev/null
if out=$(run_block after-certbot "$bad" 2>&1); then
  printf '%s\n' "$out"
  fail "nginx -t accepted the after-certbot configuration without certificate files"
fi
grep -q "cannot load certificate" <<<"$out" || {
  printf '%s\n' "$out"
  fail "the after-certbot block failed without the certificate, but not because nginx -t refused it"
}
echo "  refused by nginx -t, as it should be: $(grep -m1 -o 'cannot load certificate[^:]*' <<<"$out")"

echo "==> (d) the systemd unit"
if ! command -v systemd-analyze >/dev/null; then
  echo "  SKIPPED: systemd-analyze is not installed"
else
  units=$work/systemd
  mkdir -p "$units" "$work/opt/vellum"
  printf '[Unit]\nDescription=probe\n[Service]\nExecStart=%s\n' "$(command -v true)" >"$units/probe.service"
  if ! probe=$(systemd-analyze verify "$units/probe.service" 2>&1) || [ -n "$probe" ]; then
    echo "  SKIPPED: systemd-analyze verify does not work here: ${probe:-no output, but a failure}"
  else
    # ExecStart must name an executable file; a stand-in takes the binary's place.
    printf '#!/bin/sh\nexit 0\n' >"$work/opt/vellum/vellum"
    chmod 755 "$work/opt/vellum/vellum"
    block systemd-unit | sed "s#/opt/vellum/vellum#$work/opt/vellum/vellum#g" >"$units/vellum.service"
    if ! out=$(systemd-analyze verify "$units/vellum.service" 2>&1) || [ -n "$out" ]; then
      printf '%s\n' "$out" >&2
      fail "systemd-analyze verify finds problems in the guide's vellum.service"
    fi
    echo "  vellum.service passes systemd-analyze verify (no warnings)"
  fi
fi

echo "==> (e) settings files and the log line the guide quotes"
# systemd's EnvironmentFile= keeps "# …" after a value as part of it.
if inline=$(grep -nE '^[A-Z][A-Z0-9_]*=[^ ]+[[:space:]]+#' "$guide"); then
  printf '%s\n' "$inline" >&2
  fail "a setting in the guide has a comment after its value; systemd would read it as part of the value"
fi
echo "  no setting line carries a comment after its value"
quoted="No users yet. Create the first admin at"
grep -qF "$quoted" "$guide" || fail "the guide no longer quotes the set-up log line"
grep -qF "$quoted" server/src/lib.rs || fail "the server no longer logs \"$quoted\" as the guide says"
echo "  the set-up link's log line is the one the server writes"

echo "Deployment guide: nginx before and after certbot, the refusal without a certificate, and the settings checked."
