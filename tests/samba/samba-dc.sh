#!/usr/bin/env bash
# A throwaway Samba AD domain controller on 127.0.0.1 for the Anchorfix tests and benchmarks.
#
#   samba-dc.sh start DIR [USERS]   restore DIR from a snapshot (or provision, seed USERS users
#                                   and snapshot it first), then start the DC; default USERS 5000
#   samba-dc.sh stop DIR            stop the DC of DIR (by the PID in DIR/run/samba.pid)
#   samba-dc.sh seed DIR COUNT      add COUNT generated users to the running DC of DIR
#   samba-dc.sh users-ldif COUNT    print the LDIF of the generated users (what seed adds)
#   samba-dc.sh status DIR          exit 0 when the DC of DIR is running
#
# Everything lives in DIR (under the build dir): the provisioned domain, a test CA and a server
# certificate (DIR/tls/ca.pem, DIR/tls/other-ca.pem = an unrelated CA for negative tests),
# the Administrator password in DIR/admin.pw (mode 600, no newline: `ldapsearch -y` reads it),
# and DIR/dc.env with the facts tests need. Nothing outside DIR is touched; processes that are
# not ours are never stopped. Ports are fixed at 389/636/3268 (tests take RESOURCE_LOCK
# samba_ports). Recipe and snags: DESIGN.md §6.
set -euo pipefail

REALM=CORP.EXAMPLE.TEST
DOMAIN=CORP
BASE_DN="DC=corp,DC=example,DC=test"
MAX_RUNTIME=${ANCHORFIX_SAMBA_MAX_RUNTIME:-10800} # a forgotten DC exits by itself after 3 h
PY=/usr/bin/python3                                # Samba's own Python: always there with samba-tool
SCRIPT_PATH=$(readlink -f "${BASH_SOURCE[0]}")

die() { echo "samba-dc.sh: $*" >&2; exit 1; }
log() { echo "samba-dc.sh: $*" >&2; }

pid_of() { # DIR -> pid of our running samba, or nothing
  local f="$1/run/samba.pid" pid
  [ -f "$f" ] || return 0
  pid=$(tr -dc '0-9' <"$f")
  [ -n "$pid" ] && [ "$(dir_of_pid "$pid")" = "$1" ] && echo "$pid"
  return 0
}

dir_of_pid() { # pid -> the DIR of a samba started by this script, or nothing
  # Samba rewrites its command line, so recognise it by its open pid file DIR/run/samba.pid.
  local fd target
  [[ "$(readlink "/proc/$1/exe" 2>/dev/null)" == */samba ]] || return 0
  for fd in /proc/"$1"/fd/*; do
    target=$(readlink "$fd" 2>/dev/null) || continue
    if [[ "$target" == */run/samba.pid ]] && [ -f "${target%/run/samba.pid}/.anchorfix-samba-dc" ]; then
      echo "${target%/run/samba.pid}"
      return 0
    fi
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

stop_dc() { # DIR
  local dir=$1 pid i
  pid=$(pid_of "$dir")
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    [ -d "/proc/$pid" ] || break
    sleep 0.1
  done
  if [ -d "/proc/$pid" ]; then
    log "samba $pid did not stop on TERM; sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$dir/run/samba.pid"
}

# Stops whatever holds our ports if (and only if) it is a DC started by this script from
# another folder; otherwise says who holds them.
free_ports() {
  local port pid exe other owner
  # Our own DCs (from other folders) are found through /proc, without ss/netstat.
  for exe in /proc/[0-9]*/exe; do
    pid=${exe#/proc/}
    pid=${pid%/exe}
    other=$(dir_of_pid "$pid")
    if [ -n "$other" ]; then
      log "stopping our DC from $other (it holds the LDAP ports)"
      stop_dc "$other"
    fi
  done
  for port in 389 636 3268; do
    port_open "$port" || continue
    owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:.*' | head -n1 || true)
    die "port $port is held by another program (${owner:-see 'ss -ltnp'}). Stop it first (e.g. a Debian samba-ad-dc service: 'systemctl stop samba-ad-dc'); this script only stops DCs it started."
  done
}

make_certs() { # DIR
  local t="$1/tls" host
  host=$(hostname)
  mkdir -p "$t"
  (
    cd "$t"
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout ca.key -out ca.pem \
      -subj "/CN=Anchorfix Test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout other-ca.key -out other-ca.pem \
      -subj "/CN=Unrelated Test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout server.key -out server.csr \
      -subj "/CN=dc1.corp.example.test" 2>/dev/null
    cat >server.ext <<EOF
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:$host
EOF
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -sha256 \
      -extfile server.ext -out server.pem 2>/dev/null
    chmod 600 ca.key other-ca.key server.key
    rm -f server.csr
  )
}

provision() { # DIR
  local dir=$1 out pw
  rm -rf "$dir"
  mkdir -p "$dir"/{etc,run,log,ncalrpc,winbindd,ntp_signd}
  touch "$dir/.anchorfix-samba-dc"
  out=$(mktemp)
  # No --adminpass (it would be in argv): samba-tool picks a random one and prints it once.
  if ! samba-tool domain provision --targetdir="$dir" --realm=$REALM --domain=$DOMAIN \
      --server-role=dc --dns-backend=NONE --use-rfc2307 --host-name=dc1 \
      --option="interfaces=lo" --option="bind interfaces only=yes" \
      --option="pid directory=$dir/run" --option="log file=$dir/log/samba.log" \
      --option="ncalrpc dir=$dir/ncalrpc" --option="winbindd socket directory=$dir/winbindd" \
      --option="ntp signd socket directory=$dir/ntp_signd" \
      --option="server services = ldap cldap kdc" >"$out" 2>&1; then
    grep -v 'Admin password' "$out" >&2 || true
    rm -f "$out"
    die "samba-tool domain provision failed (is the package samba-ad-provision installed?)"
  fi
  pw=$(sed -n 's/.*Admin password:[[:space:]]*//p' "$out" | head -n1)
  rm -f "$out"
  [ -n "$pw" ] || die "could not read the generated Administrator password"
  (umask 077; printf '%s' "$pw" >"$dir/admin.pw")

  make_certs "$dir"
  # Snags (DESIGN.md §6): "ldap server require strong auth" is dropped by --option, and
  # Samba's own certificate has no SAN. Append to [global] of the generated smb.conf.
  "$PY" - "$dir/etc/smb.conf" "$dir/tls" <<'EOF'
import sys
conf, tls = sys.argv[1], sys.argv[2]
extra = ("\tldap server require strong auth = no\n"
         "\ttls enabled = yes\n"
         f"\ttls keyfile = {tls}/server.key\n"
         f"\ttls certfile = {tls}/server.pem\n"
         f"\ttls cafile = {tls}/ca.pem\n")
text = open(conf).read()
text = text.replace("[global]\n", "[global]\n" + extra, 1)
open(conf, "w").write(text)
EOF
  cat >"$dir/dc.env" <<EOF
SAMBA_DC_DIR=$dir
SAMBA_DC_BASE_DN=$BASE_DN
SAMBA_DC_ADMIN_UPN=Administrator@corp.example.test
SAMBA_DC_ADMIN_DN=CN=Administrator,CN=Users,$BASE_DN
SAMBA_DC_CA=$dir/tls/ca.pem
SAMBA_DC_OTHER_CA=$dir/tls/other-ca.pem
SAMBA_DC_PASSWORD_FILE=$dir/admin.pw
EOF
}

start_dc() { # DIR
  local dir=$1 i
  [ -n "$(pid_of "$dir")" ] && return 0
  free_ports
  samba -s "$dir/etc/smb.conf" -l "$dir/log" -D -M single --maximum-runtime="$MAX_RUNTIME"
  for i in $(seq 1 300); do
    if port_open 389 && port_open 636 && [ -n "$(pid_of "$dir")" ]; then
      return 0
    fi
    sleep 0.1
  done
  tail -n 30 "$dir/log/samba.log" >&2 2>/dev/null || true
  stop_dc "$dir"
  die "samba did not start listening on 127.0.0.1:389/636 within 30 s (log: $dir/log/samba.log)"
}

ldap_add() { # DIR  (LDIF on stdin)
  ldapadd -x -H ldap://127.0.0.1 -D "Administrator@corp.example.test" -y "$1/admin.pw" >/dev/null
}

users_ldif() { # COUNT FIRST
  "$PY" - "$1" "${2:-1}" "$BASE_DN" <<'EOF'
# Deterministic test users; tests/services/onprem/seeddata.cpp computes the same values.
import base64, hashlib, sys
count, first, base = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
out = []
for i in range(first, first + count):
    name = "user%05d" % i
    ou = "Contractors" if i % 5 == 0 else "Staff"
    e = [f"dn: CN={name},OU={ou},{base}", "objectClass: user", f"sAMAccountName: {name}",
         f"userPrincipalName: {name}@corp.example.test"]
    if i % 11 == 0:
        dn = "Zo\u00eb \u00dcn\u00efcode %05d" % i
        e.append("displayName:: " + base64.b64encode(dn.encode()).decode())
    else:
        e.append("displayName: User %05d" % i)
    if i % 10 != 3:
        e.append(f"mail: {name}@corp.example.test")
        e.append(f"proxyAddresses: SMTP:{name}@corp.example.test")
        e.append("proxyAddresses: smtp:u%05d@alias.example.test" % i)
        if i % 4 == 0:
            e.append(f"proxyAddresses: SIP:{name}@corp.example.test")
    if i % 3 == 0:
        cg = hashlib.md5(("anchorfix-cg-%05d" % i).encode()).digest()
        e.append("mS-DS-ConsistencyGuid:: " + base64.b64encode(cg).decode())
    e.append("userAccountControl: %d" % (546 if i % 7 == 0 else 544))
    out.append("\n".join(e))
sys.stdout.write("\n\n".join(out) + "\n")
EOF
}

seed_base() { # DIR: the OUs, and service accounts whose bind fails in the ways AD reports
  local dir=$1 pw
  pw="Svc-$(openssl rand -hex 12)-A1!"
  (umask 077; printf '%s' "$pw" >"$dir/svc.pw")
  "$PY" - "$BASE_DN" "$dir/svc.pw" <<'EOF' | ldapmodify -x -H ldap://127.0.0.1 \
      -D "Administrator@corp.example.test" -y "$dir/admin.pw" >/dev/null
import base64, sys
base, pwfile = sys.argv[1], sys.argv[2]
pw = base64.b64encode(('"%s"' % open(pwfile).read()).encode("utf-16-le")).decode()
def account(name, extra):
    print(f"dn: CN={name},CN=Users,{base}\nchangetype: add\nobjectClass: user\n"
          f"sAMAccountName: {name}\nuserPrincipalName: {name}@corp.example.test\n"
          f"unicodePwd:: {pw}\n{extra}\n")
for ou in ("Staff", "Contractors"):
    print(f"dn: OU={ou},{base}\nchangetype: add\nobjectClass: organizationalUnit\n")
account("svc-disabled", "userAccountControl: 514")                    # bind: data 533
account("svc-expired", "userAccountControl: 512\naccountExpires: 1")  # bind: data 701
account("svc-mustchange", "userAccountControl: 512")                  # bind: data 773
print(f"dn: CN=svc-mustchange,CN=Users,{base}\nchangetype: modify\nreplace: pwdLastSet\n"
      "pwdLastSet: 0\n-\n")
account("svc-locked", "userAccountControl: 512")  # two bad binds lock it: data 775
# A fine-grained password policy for svc-locked alone, so that nothing else can be locked out.
print(f"dn: CN=lock-after-two,CN=Password Settings Container,CN=System,{base}\n"
      "changetype: add\nobjectClass: msDS-PasswordSettings\n"
      "msDS-PasswordSettingsPrecedence: 1\nmsDS-PasswordReversibleEncryptionEnabled: FALSE\n"
      "msDS-PasswordHistoryLength: 0\nmsDS-PasswordComplexityEnabled: FALSE\n"
      "msDS-MinimumPasswordLength: 0\nmsDS-MinimumPasswordAge: 0\n"
      "msDS-MaximumPasswordAge: -9223372036854775808\nmsDS-LockoutThreshold: 2\n"
      "msDS-LockoutObservationWindow: -18000000000\nmsDS-LockoutDuration: -18000000000\n"
      f"msDS-PSOAppliesTo: CN=svc-locked,CN=Users,{base}\n")
EOF
  cat >>"$dir/dc.env" <<EOF
SAMBA_DC_SVC_PASSWORD_FILE=$dir/svc.pw
SAMBA_DC_DISABLED_UPN=svc-disabled@corp.example.test
SAMBA_DC_EXPIRED_UPN=svc-expired@corp.example.test
SAMBA_DC_MUSTCHANGE_UPN=svc-mustchange@corp.example.test
SAMBA_DC_LOCKOUT_UPN=svc-locked@corp.example.test
EOF
}

seed_users() { # DIR COUNT
  local dir=$1 count=$2
  [ -n "$(pid_of "$dir")" ] || die "the DC of $dir is not running"
  local have
  have=$(sed -n 's/^SAMBA_DC_USERS=//p' "$dir/dc.env" | tail -n1)
  have=${have:-0}
  users_ldif "$count" $((have + 1)) | ldap_add "$dir"
  sed -i '/^SAMBA_DC_USERS=/d' "$dir/dc.env"
  echo "SAMBA_DC_USERS=$((have + count))" >>"$dir/dc.env"
}

snapshot_path() { # DIR USERS
  local key
  key=$( { cat "$SCRIPT_PATH"; hostname; echo "$1 $2"; samba --version; } | sha256sum | cut -c1-16)
  echo "$(dirname "$1")/samba-dc-snapshots/$(basename "$1")-$2-$key.tar"
}

cmd_start() { # DIR USERS
  local dir users snap t0
  dir=$(readlink -m "$1")
  users=${2:-5000}
  snap=$(snapshot_path "$dir" "$users")
  stop_dc "$dir"
  if [ -f "$snap" ]; then
    rm -rf "$dir"
    mkdir -p "$dir"
    tar -C "$dir" -xf "$snap"
  else
    t0=$(date +%s)
    log "provisioning a DC in $dir with $users users (once; later starts restore a snapshot)"
    provision "$dir"
    start_dc "$dir"
    seed_base "$dir"
    [ "$users" -gt 0 ] && seed_users "$dir" "$users"
    stop_dc "$dir"
    mkdir -p "$(dirname "$snap")"
    rm -f "$(dirname "$snap")/$(basename "$dir")-$users-"*.tar
    tar --warning=no-file-ignored -C "$dir" -cf "$snap.tmp" . && mv "$snap.tmp" "$snap"
    log "provisioned and seeded in $(( $(date +%s) - t0 )) s; snapshot $snap"
  fi
  start_dc "$dir"
  cat "$dir/dc.env"
}

case "${1:-}" in
  start) [ $# -ge 2 ] || die "usage: samba-dc.sh start DIR [USERS]"; cmd_start "$2" "${3:-5000}" ;;
  stop) [ $# -ge 2 ] || die "usage: samba-dc.sh stop DIR"; stop_dc "$(readlink -m "$2")" ;;
  seed) [ $# -ge 3 ] || die "usage: samba-dc.sh seed DIR COUNT"; seed_users "$(readlink -m "$2")" "$3" ;;
  users-ldif) [ $# -ge 2 ] || die "usage: samba-dc.sh users-ldif COUNT"; users_ldif "$2" 1 ;;
  status) [ $# -ge 2 ] || die "usage: samba-dc.sh status DIR"; [ -n "$(pid_of "$(readlink -m "$2")")" ] ;;
  *) die "usage: samba-dc.sh start DIR [USERS] | stop DIR | seed DIR COUNT | users-ldif COUNT | status DIR" ;;
esac
