#!/bin/sh
# pg-backup: one `pg_dump -Fc` (custom format: compressed, restorable table by
# table) of every database of the PostgreSQL server into $BACKUP_DIR, named
# DB-YYYYmmddTHHMMSSZ.dump. Each dump is written to DB-....dump.tmp, fsynced
# and renamed, so a dump that exists is complete. Then retention, per
# database, by modification time: the newest dump of each of the last
# $KEEP_DAILY days that have dumps, and the newest of each of the last
# $KEEP_WEEKLY ISO weeks; everything older goes.
#
# Run by services/pg-backup.yaml; everything comes from the environment, so
# the same script runs against any cluster:
#   PGBIN (/var/lib/svd/postgres/bin) PGHOST (/run/svd/postgres) PGPORT (5433)
#   PGUSER (postgres) BACKUP_DIR (/var/lib/svd/backups) KEEP_DAILY (7)
#   KEEP_WEEKLY (4) PG_RUNAS (postgres: as root, the PostgreSQL tools run as
#   this user for peer authentication; empty: as whoever runs the script)
set -eu
PGBIN=${PGBIN:-/var/lib/svd/postgres/bin}
PGHOST=${PGHOST:-/run/svd/postgres}
PGPORT=${PGPORT:-5433}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
BACKUP_DIR=${BACKUP_DIR:-/var/lib/svd/backups}
KEEP_DAILY=${KEEP_DAILY:-7}
KEEP_WEEKLY=${KEEP_WEEKLY:-4}
PG_RUNAS=${PG_RUNAS-postgres}

as_pg() {
        if [ "$(id -u)" = 0 ] && [ -n "$PG_RUNAS" ]; then
                # from /: $PG_RUNAS may not enter $BACKUP_DIR (redirections
                # are opened by this shell, before the cd)
                (cd / && exec runuser -u "$PG_RUNAS" -- "$@")
        else
                "$@"
        fi
}

umask 077
mkdir -p "$BACKUP_DIR"
cd "$BACKUP_DIR"
rm -f -- *.dump.tmp # a run that died half-way (runs never overlap)
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dbs=$(as_pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -d postgres \
        -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1")
[ -n "$dbs" ] || { echo "pg-backup: no databases on $PGHOST:$PGPORT" >&2; exit 1; }

echo "$dbs" | while IFS= read -r db; do
        case $db in */* | .*) echo "pg-backup: skipping database '$db': not usable as a file name" >&2; continue ;; esac
        out="$db-$stamp.dump"
        as_pg "$PGBIN/pg_dump" -Fc -d "$db" > "$out.tmp"
        sync "$out.tmp"
        mv -- "$out.tmp" "$out"
        echo "pg-backup: $db -> $BACKUP_DIR/$out ($(wc -c < "$out") bytes)"
done
sync .

# retention, per database, newest first
echo "$dbs" | while IFS= read -r db; do
        days=0 weeks=0 last_day= last_week=
        ls -1t | grep -E "^$(printf '%s' "$db" | sed 's/[].[^$*+?(){}|\\]/\\&/g')-[0-9]{8}T[0-9]{6}Z\.dump\$" |
                while IFS= read -r f; do
                        day=$(date -u -r "$f" +%Y%m%d)
                        week=$(date -u -r "$f" +%G%V)
                        keep=
                        if [ "$day" != "$last_day" ] && [ "$days" -lt "$KEEP_DAILY" ]; then
                                keep=daily days=$((days + 1)) last_day=$day
                        fi
                        if [ "$week" != "$last_week" ] && [ "$weeks" -lt "$KEEP_WEEKLY" ]; then
                                keep=weekly weeks=$((weeks + 1)) last_week=$week
                        fi
                        if [ -z "$keep" ]; then
                                rm -f -- "$f"
                                echo "pg-backup: retention: removed $f"
                        fi
                done
done
echo "pg-backup: done"
