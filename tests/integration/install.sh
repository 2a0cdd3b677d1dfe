#!/bin/bash
# install: `make install DESTDIR=...` with the Debian layout (prefix /usr,
# sysconfdir /etc, localstatedir /var, runstatedir /run) puts every file where
# svd(8) says; another layout (/opt, /srv) is honoured too, down to the paths
# in the installed svd.yaml; svd --check accepts the installed svd.yaml; a
# second install keeps an edited svd.yaml; make uninstall removes the files.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${TOP_BUILDDIR:-$top}
[ -f "$build/Makefile" ] || { echo "SKIP: no configured build tree at $build"; exit 77; }
W=$(mktemp -d /tmp/svd-install.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

inst() { # DESTDIR prefix sysconfdir localstatedir runstatedir [target]
        make -s -C "$build" "${6:-install}" DESTDIR="$1" prefix="$2" sysconfdir="$3" localstatedir="$4" \
                runstatedir="$5" > "$W/make.out" 2>&1 || { cat "$W/make.out"; fail "make ${6:-install} DESTDIR=$1 prefix=$2"; }
}

# --- the Debian layout ---
R="$W/deb"
inst "$R" /usr /etc /var /run
for p in /usr/sbin/svd /usr/bin/svctl /usr/libexec/svd/svd-probe /usr/libexec/svd/svd-fdstore \
        /usr/share/man/man8/svd.8 /usr/share/man/man8/svctl.8 /usr/share/man/man5/svd.yaml.5 \
        /usr/share/bash-completion/completions/svctl /etc/svd/svd.yaml; do
        [ -f "$R$p" ] || fail "$p not installed: $(cd "$R" && find . | sort)"
done
for d in /etc/svd/services /etc/svd/cgroups /var/lib/svd /var/log/svd; do
        [ -d "$R$d" ] || fail "directory $d not installed"
done
[ -x "$R/usr/sbin/svd" ] && [ -x "$R/usr/bin/svctl" ] || fail "binaries not executable"
[ ! -e "$R/usr/bin/svd" ] && [ ! -e "$R/usr/sbin/svctl" ] || fail "svd in bin or svctl in sbin"
[ "$(stat -c %a "$R/etc/svd/svd.yaml")" = 644 ] || fail "svd.yaml mode $(stat -c %a "$R/etc/svd/svd.yaml")"
y="$R/etc/svd/svd.yaml"
grep -qx 'state_dir: /var/lib/svd' "$y" || fail "installed state_dir: $(grep state_dir "$y")"
grep -q '^log_dir: /var/log/svd ' "$y" || fail "installed log_dir: $(grep log_dir "$y")"
grep -qx 'run_dir: /run/svd' "$y" || fail "installed run_dir: $(grep run_dir "$y")"
grep -qx 'control_socket: /run/svd/control.sock' "$y" || fail "installed control_socket"
if grep -q '@[a-z]*@' "$y"; then fail "unsubstituted placeholders in svd.yaml: $(grep '@' "$y")"; fi
# svd --check of the installed file (svadm may not exist on this host)
sed 's/^admin_group:/# &/' "$y" > "$R/etc/svd/check.yaml"
"$R/usr/sbin/svd" --check -c "$R/etc/svd/check.yaml" > "$W/check.out" 2>&1 || { cat "$W/check.out"; fail "svd --check of the installed svd.yaml"; }
rm "$R/etc/svd/check.yaml"

# an edited svd.yaml survives the next install
echo "# edited" >> "$y"
inst "$R" /usr /etc /var /run
grep -q '^# edited$' "$y" || fail "make install overwrote an edited svd.yaml"

# uninstall: the files go, nothing installed is left but empty-able dirs
inst "$R" /usr /etc /var /run uninstall
left=$(cd "$R" && find . -type f | sort)
[ -z "$left" ] || fail "make uninstall left files: $left"

# --- another layout: every directory follows configure's variables ---
R="$W/opt"
inst "$R" /opt/svd /srv/etc /srv/var /srv/run
for p in /opt/svd/sbin/svd /opt/svd/bin/svctl /opt/svd/libexec/svd/svd-probe /srv/etc/svd/svd.yaml \
        /opt/svd/share/man/man5/svd.yaml.5 /opt/svd/share/bash-completion/completions/svctl; do
        [ -f "$R$p" ] || fail "$p not installed: $(cd "$R" && find . | sort)"
done
for d in /srv/etc/svd/services /srv/etc/svd/cgroups /srv/var/lib/svd /srv/var/log/svd; do
        [ -d "$R$d" ] || fail "directory $d not installed"
done
[ ! -e "$R/etc" ] && [ ! -e "$R/var" ] && [ ! -e "$R/usr" ] || fail "files outside the chosen layout: $(cd "$R" && ls)"
y="$R/srv/etc/svd/svd.yaml"
grep -qx 'state_dir: /srv/var/lib/svd' "$y" || fail "state_dir in the /srv layout: $(grep state_dir "$y")"
grep -q '^log_dir: /srv/var/log/svd ' "$y" || fail "log_dir in the /srv layout"
grep -qx 'run_dir: /srv/run/svd' "$y" || fail "run_dir in the /srv layout"
grep -qx 'control_socket: /srv/run/svd/control.sock' "$y" || fail "control_socket in the /srv layout"
echo "install: ok"
