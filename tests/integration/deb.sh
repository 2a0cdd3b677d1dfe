#!/bin/bash
# deb: dpkg-buildpackage builds svd_<version>_<arch>.deb from a copy of the
# tree under /tmp (the checkout is never touched); lintian reports no errors;
# the package holds the expected paths; unpacked into a throwaway root, its
# svd --check accepts its own /etc/svd/svd.yaml. `make deb` runs this and
# keeps the .deb (DEB_OUT). Skipped (77) without dpkg-buildpackage.
set -euo pipefail
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v dpkg-buildpackage >/dev/null || { echo "SKIP: dpkg-buildpackage missing"; exit 77; }
command -v dh >/dev/null || { echo "SKIP: debhelper missing"; exit 77; }
# the build dependencies (libyaml-dev ...) are what ./configure needed too
dpkg-checkbuilddeps "$top/debian/control" >/dev/null 2>&1 ||
        { echo "SKIP: build dependencies missing: $(dpkg-checkbuilddeps "$top/debian/control" 2>&1)"; exit 77; }

W=$(mktemp -d /tmp/svd-deb.XXXXXX)
trap 'rm -rf "$W"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

version=$(sed -n '1s/^svd (\([^)]*\)).*/\1/p' "$top/debian/changelog")
src="$W/svd-$version"
mkdir -p "$src"
# sources only: what git knows (tracked and not ignored), else the tree
# without build output
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        (cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - --no-recursion) | tar -C "$src" -xf -
else
        tar -C "$top" -cf - --exclude=.git --exclude='*.o' --exclude='*.lo' --exclude='*.la' --exclude=.libs \
                --exclude=.deps --exclude=autom4te.cache --exclude=config.status --exclude=config.log \
                --exclude=libtool --exclude=Makefile --exclude='*.log' --exclude='*.trs' --exclude=node_modules \
                --exclude=./svd --exclude=./svctl --exclude=./svd-probe --exclude=./svd-fdstore --exclude='./tests/unit/check_[a-z_]*[a-z]' \
                --exclude=debian/svd --exclude='debian/.debhelper' . | tar -C "$src" -xf -
fi

echo "deb: building in $src"
start=$(date +%s)
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) \
        > "$W/build.log" 2>&1 || { tail -n 60 "$W/build.log"; fail "dpkg-buildpackage failed"; }
echo "deb: built in $(( $(date +%s) - start ))s"
arch=$(dpkg --print-architecture)
deb="$W/svd_${version}_${arch}.deb"
[ -f "$deb" ] || fail "no $deb: $(ls "$W")"

# lintian: no errors (warnings are printed for the record)
if command -v lintian >/dev/null; then
        lintian --tag-display-limit 0 "$deb" > "$W/lintian.out" 2>&1 || true
        cat "$W/lintian.out"
        if grep -q '^E: ' "$W/lintian.out"; then fail "lintian reports errors"; fi
else
        echo "deb: lintian missing, not checked"
fi

dpkg -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' > "$W/contents"
for p in /usr/sbin/svd /usr/bin/svctl /usr/libexec/svd/svd-probe /usr/libexec/svd/svd-fdstore \
        /etc/svd/svd.yaml /etc/svd/services /etc/svd/cgroups \
        /usr/share/man/man8/svd.8.gz /usr/share/man/man8/svctl.8.gz /usr/share/man/man5/svd.yaml.5.gz \
        /usr/share/bash-completion/completions/svctl /lib/systemd/system/svd.service; do
        grep -qx "$p" "$W/contents" || fail "$p not in the package: $(cat "$W/contents")"
done
dpkg-deb -f "$deb" Depends | grep -qv 'postgresql\|nodejs\|redis' || fail "the stack is in Depends"
dpkg-deb -f "$deb" Suggests | grep -q postgresql || fail "postgresql not suggested"
dpkg-deb -e "$deb" "$W/control"
grep -qx /etc/svd/svd.yaml "$W/control/conffiles" || fail "svd.yaml is not a conffile"

# unpacked into a throwaway root, svd checks its own installed configuration
root="$W/root"
dpkg -x "$deb" "$root"
grep -q '^services_dir: services' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: services_dir"
grep -q '^log_dir: /var/log/svd' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: log_dir"
grep -q '^run_dir: /run/svd' "$root/etc/svd/svd.yaml" || fail "installed svd.yaml: run_dir"
"$root/usr/sbin/svd" --version | grep -qx "svd $version" || fail "svd --version"
check() { "$root/usr/sbin/svd" --check -c "$root/etc/svd/svd.yaml"; }
if getent group svadm >/dev/null; then
        check || fail "svd --check of the installed configuration"
elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
        # postinst (not run by dpkg -x) creates svadm: stand in for it in a
        # private mount namespace instead of changing this host's groups
        cp /etc/group "$W/group"
        echo "svadm:x:999:" >> "$W/group"
        unshare -m sh -c 'mount --bind "$1" /etc/group && exec "$2" --check -c "$3"' sh \
                "$W/group" "$root/usr/sbin/svd" "$root/etc/svd/svd.yaml" || fail "svd --check of the installed configuration"
else
        sed 's/^admin_group:/# &/' "$root/etc/svd/svd.yaml" > "$root/etc/svd/check.yaml"
        "$root/usr/sbin/svd" --check -c "$root/etc/svd/check.yaml" || fail "svd --check (without admin_group)"
fi
if [ -n "${DEB_OUT:-}" ]; then
        cp "$deb" "$DEB_OUT/" && echo "deb: $DEB_OUT/$(basename "$deb")"
fi
echo "deb: ok"
