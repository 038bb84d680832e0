//! How the process asks for memory.

/// One malloc arena per thread that parses or draws: the runtime's workers (one a core) and
/// the thread that draws. glibc gives threads arenas of their own (up to eight per core) and
/// each keeps what its threads freed: the watch tasks parse lists on the workers while rows
/// are built and dropped on the drawing thread, so freed pages stayed spread over many arenas
/// (at 100,000 objects two arenas held 154 → 146 MiB peak RSS). Two were too few on two
/// cores: a worker and the drawing thread took turns at one arena's lock, and waking each
/// other for it was a twentieth of the cockpit's CPU in a 100k load (1.86–2.29 CPU-s against
/// 1.78–1.84 with three, peak RSS 2–3 MiB higher). Call before the runtime starts its threads.
/// Other platforms' allocators are left as they are.
pub fn fewer_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before other threads
    // allocate, and a refused setting (return 0) leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, arenas());
    }
}

/// The runtime's workers (one a core, tokio's default) and the drawing thread.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn arenas() -> libc::c_int {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    libc::c_int::try_from(cores + 1).unwrap_or(libc::c_int::MAX)
}
