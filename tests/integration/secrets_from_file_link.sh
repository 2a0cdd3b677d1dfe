#!/bin/bash
# A secret's from_file may be a symbolic link that only root can have made
# (certbot's live/NAME/privkey.pem points into archive/): it is followed and
# the consumer gets the file's content. Before, from_file was opened with
# O_NOFOLLOW and every such consumer failed with "Too many levels of
# symbolic links". In a directory another user can write, a link is still
# refused, naming why: the user could point it at a file only root reads.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || { echo "needs root (root-owned directories)"; exit 77; }

mkdir -p -m 755 "$T/le/live/site" "$T/le/archive/site"
printf 'a-long-enough-tls-private-key\n' > "$T/le/archive/site/privkey1.pem"
chmod 600 "$T/le/archive/site/privkey1.pem"
ln -s ../../archive/site/privkey1.pem "$T/le/live/site/privkey.pem"
# $T/out is writable by everyone (lib.sh): a link there is refused
printf 'root-only-value-never-delivered\n' > "$T/rootonly"
chmod 600 "$T/rootonly"
ln -s "$T/rootonly" "$T/out/planted"

service tls <<YAML
secrets:
  key: { from_file: $T/le/live/site/privkey.pem }
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/key > $T/out/got; exec sleep 1000']
YAML
service victim <<YAML
secrets:
  stolen: { from_file: $T/out/planted }
restart: "no"
command: [/bin/sh, -c, 'cat \$CREDENTIALS_DIRECTORY/stolen > $T/out/stolen; exec sleep 1000']
YAML

start_svd
wait_state tls running
wait_for test -s "$T/out/got"
assert_eq "$(cat "$T/out/got")" "a-long-enough-tls-private-key" "the linked key delivered"
wait_state victim failed
case "$(field victim reason)" in
"secret stolen: from_file $T/out/planted: a symbolic link in a directory a user other than root can write"*) ;;
*) fail "victim's reason: $(field victim reason)" ;;
esac
[ ! -e "$T/out/stolen" ] || fail "a link planted in a world-writable directory was followed"
stop_svd || fail "svd exit status $?"
echo "secrets_from_file_link: ok"
