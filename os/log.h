/* Logging for everything outside capture/. Every line starts "tinydump: ".
 * As PID 1 lines go to the console and to /dev/kmsg (so they land in the
 * capture kernel's log); as a command they go to stderr. */
#ifndef TD_LOG_H
#define TD_LOG_H

/* Send lines to /dev/kmsg too (PID 1 calls this after mounting devtmpfs). */
void td_log_kmsg(int on);

/* "tinydump: <message>" */
void td_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "tinydump: fatal: <message>" — the caller still decides what happens. */
void td_log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A progress line that overwrites itself on a terminal/console ("\r"),
 * and is not sent to /dev/kmsg. td_log_progress_end() ends the line. */
void td_log_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void td_log_progress_end(void);

#endif
