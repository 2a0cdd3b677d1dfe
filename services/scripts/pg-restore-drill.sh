#!/bin/sh
# pg-restore-drill: proves the backups restore. For every database with a
# dump in $BACKUP_DIR, the newest dump is restored into a scratch database
# (svd_drill_<pid>), a check query runs against it ($DRILL_CHECK_SQL, by
# default the number of user tables, which must be a number), and the scratch
# database is dropped again, also when a step fails. Exit status 0 only if
# every restore and check passed.
#
# Environment as for pg-backup.sh (PGBIN PGHOST PGPORT PGUSER BACKUP_DIR
# PG_RUNAS), plus DRILL_DBS (space-separated; default: every database with a
# dump) and DRILL_CHECK_SQL.
set -eu
PGBIN=${PGBIN:-/var/lib/svd/postgres/bin}
PGHOST=${PGHOST:-/run/svd/postgres}
PGPORT=${PGPORT:-5433}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
BACKUP_DIR=${BACKUP_DIR:-/var/lib/svd/backups}
PG_RUNAS=${PG_RUNAS-postgres}
# (double quotes: inside an unquoted ${...:-...} the single quotes would be removed)
DRILL_CHECK_SQL=${DRILL_CHECK_SQL:-"SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"}

as_pg() {
        if [ "$(id -u)" = 0 ] && [ -n "$PG_RUNAS" ]; then
                runuser -u "$PG_RUNAS" -- "$@"
        else
                "$@"
        fi
}

scratch=svd_drill_$$
drop_scratch() {
        as_pg "$PGBIN/psql" -X -q -d postgres -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
}
trap drop_scratch EXIT
trap 'exit 1' INT TERM

dumps=$(cd "$BACKUP_DIR" && ls -1t | grep -E '^.+-[0-9]{8}T[0-9]{6}Z\.dump$' || true)
# the tools run as $PG_RUNAS, who may not enter $BACKUP_DIR: work from /
cd /
[ -n "$dumps" ] || { echo "pg-restore-drill: no dump in $BACKUP_DIR" >&2; exit 1; }
dbs=${DRILL_DBS:-$(echo "$dumps" | sed -E 's/-[0-9]{8}T[0-9]{6}Z\.dump$//' | sort -u)}

failed=0
for db in $dbs; do
        latest=$(echo "$dumps" | grep -E "^$(printf '%s' "$db" | sed 's/[].[^$*+?(){}|\\]/\\&/g')-[0-9]{8}T[0-9]{6}Z\.dump\$" | head -n 1)
        if [ -z "$latest" ]; then
                echo "pg-restore-drill: $db: no dump" >&2
                failed=1
                continue
        fi
        drop_scratch
        as_pg "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "CREATE DATABASE $scratch" >/dev/null
        # the dump is read by this shell (it may be unreadable to $PG_RUNAS)
        if ! as_pg "$PGBIN/pg_restore" --no-owner --no-acl --exit-on-error -d "$scratch" < "$BACKUP_DIR/$latest"; then
                echo "pg-restore-drill: $db: restoring $latest failed" >&2
                failed=1
                continue
        fi
        if ! result=$(as_pg "$PGBIN/psql" -X -At -v ON_ERROR_STOP=1 -d "$scratch" -c "$DRILL_CHECK_SQL"); then
                echo "pg-restore-drill: $db: check query failed on the restore of $latest" >&2
                failed=1
                continue
        fi
        echo "pg-restore-drill: $db: restored $latest, check: $result"
done
drop_scratch
[ "$failed" = 0 ] && echo "pg-restore-drill: ok"
exit "$failed"
