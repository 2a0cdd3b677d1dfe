/* log: svd's own diagnostics (not service output). One line per message on
 * stderr, prefixed with an ISO-8601 UTC timestamp and the level. Only the
 * orchestration layer (main, svd, control) logs; lower layers return -errno. */
#ifndef SVD_LOG_H
#define SVD_LOG_H

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

void log_set_level(enum log_level l);
/* The last message logged at LOG_LVL_ERR ("" if none). */
const char *log_last_error(void);
void log_msg(enum log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif
