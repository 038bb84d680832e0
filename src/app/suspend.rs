//! Handing the terminal to another program (a foreground plugin) and taking it back: the
//! cockpit's screen is left as the shell had it, the program runs, then the cockpit's screen
//! comes back redrawn from scratch.

use std::io::Write;

use crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::Terminal;
use ratatui::backend::Backend;

/// Leave the alternate screen and raw mode, run `program`, then restore both. The caller
/// must have stopped reading input first.
pub fn handing_over<B: Backend + Write>(
    terminal: &mut Terminal<B>,
    program: impl FnOnce(),
) -> std::io::Result<()>
where
    B::Error: Into<std::io::Error>,
{
    terminal.show_cursor().map_err(Into::into)?;
    ratatui::restore();
    // Blocking is the point: the cockpit waits for the program. On a multi-threaded runtime
    // the watches keep running on the other workers meanwhile.
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(program),
        _ => program(),
    }
    enable_raw_mode()?;
    // Entering the alternate screen clears it. One empty frame makes ratatui's idea of the
    // screen match (`Terminal::clear` would ask the terminal for the cursor position, which
    // is not needed and can time out right after another program had the terminal).
    crossterm::execute!(terminal.backend_mut(), EnterAlternateScreen)?;
    terminal.draw(|_| {}).map(|_| ()).map_err(Into::into)
}
