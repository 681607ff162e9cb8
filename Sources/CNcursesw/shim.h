#ifndef BATCH_CNCURSESW_SHIM_H
#define BATCH_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags: ask for the wide API here. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <locale.h>
#include <ncursesw/curses.h>

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
#endif
