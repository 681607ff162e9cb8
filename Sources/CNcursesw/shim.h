#ifndef BATCH_CNCURSESW_SHIM_H
#define BATCH_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags: ask for the wide API here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* wcwidth is declared only under _XOPEN_SOURCE, which SwiftPM does not pass. */
extern int wcwidth(wchar_t c);

/* Globals Swift 6 refuses as shared mutable state, and macros it cannot import. */
static inline WINDOW *batch_stdscr(void) { return stdscr; }
static inline int batch_lines(void) { return LINES; }
static inline int batch_cols(void) { return COLS; }
static inline int batch_colors(void) { return COLORS; }
static inline int batch_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int batch_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t batch_a_bold(void) { return A_BOLD; }
static inline attr_t batch_a_reverse(void) { return A_REVERSE; }
static inline attr_t batch_a_dim(void) { return A_DIM; }
static inline attr_t batch_a_underline(void) { return A_UNDERLINE; }
static inline int batch_key_f(int n) { return KEY_F(n); }
static inline int batch_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/* The master side of a pseudo-terminal, for tests that drive curses the way a
   terminal would; declared only under _XOPEN_SOURCE, like wcwidth. */
extern int posix_openpt(int flags);
extern int grantpt(int fd);
extern int unlockpt(int fd);
extern char *ptsname(int fd);

/* The stdio streams newterm wants; Swift 6 refuses the stdout/stdin globals. */
static inline FILE *batch_stdout(void) { return stdout; }
static inline FILE *batch_stdin(void) { return stdin; }

/* Whether LC_CTYPE currently encodes UTF-8. */
static inline int batch_ctype_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != NULL && (cs[0] == 'U' || cs[0] == 'u') && (cs[1] == 'T' || cs[1] == 't') && (cs[2] == 'F' || cs[2] == 'f');
}

/* Installed while curses owns the terminal for the signals that end a process: the
   polite ones (SIGTERM, SIGINT, SIGHUP) and the crashes (a Swift trap is SIGILL or
   SIGTRAP, then SIGABRT, SIGSEGV, SIGBUS, SIGFPE). The handler hands the terminal
   back to the shell, then dies of the same signal (SA_RESETHAND restored the default
   action; the raised signal is delivered when the handler returns), so the exit
   status and any core dump still tell why. endwin here is what htop's CRT does too. */
static const int batch_restore_signals[] = { SIGTERM, SIGINT, SIGHUP, SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE };
static inline void batch_restore_and_reraise(int sig) {
    endwin();
    raise(sig);
}
static inline void batch_install_restore_handlers(void) {
    struct sigaction sa;
    sa.sa_handler = batch_restore_and_reraise;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    for (unsigned i = 0; i < sizeof batch_restore_signals / sizeof batch_restore_signals[0]; i++)
        sigaction(batch_restore_signals[i], &sa, NULL);
}
static inline void batch_remove_restore_handlers(void) {
    for (unsigned i = 0; i < sizeof batch_restore_signals / sizeof batch_restore_signals[0]; i++)
        signal(batch_restore_signals[i], SIG_DFL);
}
#endif
