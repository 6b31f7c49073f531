//! Where the process's resident memory goes (`getMemoryBreakdown()`, the soak's breakdown column).
//!
//! The tracked Rust heap (`alloc`) sees only what Rust allocates. SQLite and the allocator's own retained
//! memory are outside it, and an RSS that grows while the Rust heap stays flat must be one of them, or
//! the JS heap. So this asks each owner directly:
//! - SQLite: `sqlite3_memory_used` (the bundled SQLite is built with memory statistics on);
//! - glibc malloc: `mallinfo2`, looked up at run time because the published build links against glibc
//!   2.28, which lacks it (then the older `mallinfo`, whose `int` fields are read as unsigned: exact to
//!   4 GiB);
//! - the kernel: resident anonymous vs file-backed pages and the thread count (`/proc/self/status`).
//!
//! `mallinfo2` walks every arena's free lists, so this is a diagnostic call, not a per-request metric.
//!
//! The soak found RSS growing ~230 MiB/h with a flat Rust heap: SQLite page caches filling as databases
//! grew, and glibc holding freed memory across its 16 arenas. `apply` bounds both (`memory.*` config): a
//! process-wide SQLite soft heap limit (the bundled SQLite is built with `SQLITE_ENABLE_MEMORY_MANAGEMENT`,
//! so it recycles cache pages across connections to honour it), a fixed mmap threshold (so a large
//! buffer's memory goes back to the OS when freed rather than into an arena), and a periodic
//! `malloc_trim`, which hands whole free pages in every arena back to the OS.

use serde::Serialize;
use ts_rs::TS;

/// What holds the process's memory, by owner. Fields are null where the platform cannot tell.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct MemoryBreakdown {
    /// Resident set size of the whole process.
    pub rss_bytes: Option<f64>,
    /// Resident anonymous pages: heaps (JS and native), thread stacks.
    pub rss_anon_bytes: Option<f64>,
    /// Resident file-backed pages: the mapped code of Node and the addon, memory-mapped databases.
    pub rss_file_bytes: Option<f64>,
    /// Bytes the Rust side has allocated (the same as `getMemoryStats().currentBytes`).
    pub rust_heap_bytes: f64,
    /// Bytes SQLite has allocated: page caches, prepared statements, of every open wallet database.
    pub sqlite_bytes: f64,
    /// SQLite's highest `sqliteBytes` since the process started.
    pub sqlite_peak_bytes: f64,
    /// Bytes the C allocator has handed out and not had back (Rust and SQLite are part of it).
    pub malloc_in_use_bytes: Option<f64>,
    /// Bytes the C allocator holds in its arenas unused: freed, not yet returned to the OS. Growth here
    /// with flat in-use bytes is fragmentation.
    pub malloc_free_bytes: Option<f64>,
    /// Arenas the C allocator has made (glibc makes one per thread, up to 8 per core).
    pub malloc_arenas: Option<f64>,
    pub threads: Option<f64>,
}

pub fn breakdown() -> MemoryBreakdown {
    let status = proc_status();
    let malloc = malloc_stats();
    let (sqlite_bytes, sqlite_peak_bytes) = sqlite_memory();
    MemoryBreakdown {
        rss_bytes: status.rss.or_else(crate::alloc::resident_set_bytes).map(|b| b as f64),
        rss_anon_bytes: status.rss_anon.map(|b| b as f64),
        rss_file_bytes: status.rss_file.map(|b| b as f64),
        rust_heap_bytes: crate::alloc::stats().current_bytes as f64,
        sqlite_bytes: sqlite_bytes as f64,
        sqlite_peak_bytes: sqlite_peak_bytes as f64,
        malloc_in_use_bytes: malloc.map(|m| m.in_use as f64),
        malloc_free_bytes: malloc.map(|m| m.free as f64),
        malloc_arenas: arena_count(),
        threads: status.threads.map(|n| n as f64),
    }
}

/// Applies `memory.sqliteHeapLimitBytes` and `memory.mmapThresholdBytes`; called when the runtimes start
/// and whenever the config is installed.
pub fn apply(c: &crate::config::MemoryConfig) {
    let limit = i64::try_from(c.sqlite_heap_limit_bytes).unwrap_or(i64::MAX);
    // SAFETY: sets a global under SQLite's own mutex; safe to call from any thread at any time.
    unsafe { libsqlite3_sys::sqlite3_soft_heap_limit64(limit) };
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if let Ok(threshold @ 1..) = libc::c_int::try_from(c.mmap_threshold_bytes) {
        // SAFETY: mallopt takes the allocator's lock itself; validated to glibc's range.
        unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, threshold) };
    }
}

/// Returns the C allocator's free pages to the OS every `memory.trimIntervalSecs` (read each round, so a
/// config change applies at the next one). Runs on the general runtime for as long as the runtimes do.
pub async fn trim_loop() {
    loop {
        let every = crate::config::current().config.memory.trim_interval_secs;
        tokio::time::sleep(std::time::Duration::from_secs(every.max(1))).await;
        if crate::config::current().config.memory.trim_interval_secs > 0 {
            trim();
        }
    }
}

/// One `malloc_trim(0)`: returns whether the allocator released anything.
pub fn trim() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let started = std::time::Instant::now();
        // SAFETY: takes the arena locks itself; callable from any thread.
        let released = unsafe { libc::malloc_trim(0) } == 1;
        tracing::debug!(released, elapsed_us = started.elapsed().as_micros() as u64, "malloc_trim");
        released
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    false
}

fn sqlite_memory() -> (i64, i64) {
    // SAFETY: both read SQLite's global memory statistics under its own mutex; no pointers involved.
    unsafe { (libsqlite3_sys::sqlite3_memory_used(), libsqlite3_sys::sqlite3_memory_highwater(0)) }
}

#[derive(Default)]
struct ProcStatus {
    rss: Option<u64>,
    rss_anon: Option<u64>,
    rss_file: Option<u64>,
    threads: Option<u64>,
}

fn proc_status() -> ProcStatus {
    std::fs::read_to_string("/proc/self/status").map(|s| parse_status(&s)).unwrap_or_default()
}

fn parse_status(text: &str) -> ProcStatus {
    let mut out = ProcStatus::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once(':') else { continue };
        let mut words = value.split_whitespace();
        let Some(n) = words.next().and_then(|n| n.parse::<u64>().ok()) else { continue };
        let n = if words.next() == Some("kB") { n * 1024 } else { n };
        match key {
            "VmRSS" => out.rss = Some(n),
            "RssAnon" => out.rss_anon = Some(n),
            // Shared memory is file-backed too (tmpfs); the soak wants "not a heap".
            "RssFile" | "RssShmem" => out.rss_file = Some(out.rss_file.unwrap_or(0) + n),
            "Threads" => out.threads = Some(n),
            _ => {}
        }
    }
    out
}

#[derive(Clone, Copy)]
struct MallocStats {
    in_use: u64,
    free: u64,
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn malloc_stats() -> Option<MallocStats> {
    use std::sync::LazyLock;
    type Mallinfo2 = unsafe extern "C" fn() -> libc::mallinfo2;
    static MALLINFO2: LazyLock<Option<Mallinfo2>> = LazyLock::new(|| {
        // SAFETY: dlsym with a NUL-terminated name; a non-null result is glibc's `mallinfo2`, whose
        // signature is the one above.
        let f = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"mallinfo2".as_ptr()) };
        (!f.is_null()).then(|| unsafe { std::mem::transmute::<*mut libc::c_void, Mallinfo2>(f) })
    });
    // uordblks: in use from arenas; hblkhd: in use as separate mmaps; fordblks: free within arenas.
    if let Some(f) = *MALLINFO2 {
        // SAFETY: takes no arguments, returns a struct by value.
        let m = unsafe { f() };
        return Some(MallocStats { in_use: (m.uordblks + m.hblkhd) as u64, free: m.fordblks as u64 });
    }
    // SAFETY: as above; `mallinfo` exists in every glibc.
    #[allow(deprecated)]
    let m = unsafe { libc::mallinfo() };
    Some(MallocStats { in_use: m.uordblks as u32 as u64 + m.hblkhd as u32 as u64, free: m.fordblks as u32 as u64 })
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn malloc_stats() -> Option<MallocStats> {
    None
}

/// glibc reports its arenas only as text (`malloc_info`'s XML); counting `<heap nr=` there is the one
/// public way to get it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn arena_count() -> Option<f64> {
    let mut buf: *mut libc::c_char = std::ptr::null_mut();
    let mut len: libc::size_t = 0;
    // SAFETY: open_memstream owns `buf`, which is valid after fclose and freed here with free().
    unsafe {
        let stream = libc::open_memstream(&mut buf, &mut len);
        if stream.is_null() {
            return None;
        }
        let ok = libc::malloc_info(0, stream) == 0;
        libc::fclose(stream);
        let text = (!buf.is_null()).then(|| String::from_utf8_lossy(std::slice::from_raw_parts(buf as *const u8, len)).into_owned());
        libc::free(buf.cast());
        text.filter(|_| ok).map(|t| t.matches("<heap nr=").count() as f64)
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn arena_count() -> Option<f64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_become_bytes() {
        let s = parse_status("Name:\tnode\nVmRSS:\t  2048 kB\nRssAnon:\t 1024 kB\nRssFile:\t 512 kB\nRssShmem:\t 4 kB\nThreads:\t17\n");
        assert_eq!(s.rss, Some(2048 * 1024));
        assert_eq!(s.rss_anon, Some(1024 * 1024));
        assert_eq!(s.rss_file, Some(516 * 1024));
        assert_eq!(s.threads, Some(17));
    }

    #[test]
    fn the_owners_answer() {
        let b = breakdown();
        assert!(b.rust_heap_bytes > 0.0);
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            let rss = b.rss_bytes.unwrap();
            assert!(b.rss_anon_bytes.unwrap() > 0.0 && b.rss_anon_bytes.unwrap() <= rss);
            // The tracked heap is a part of what malloc has handed out.
            assert!(b.malloc_in_use_bytes.unwrap() >= b.rust_heap_bytes);
            assert!(b.malloc_arenas.unwrap() >= 1.0);
            assert!(b.threads.unwrap() >= 1.0);
        }
    }

    #[test]
    fn the_sqlite_limit_is_set_and_lifted() {
        use crate::config::MemoryConfig;
        apply(&MemoryConfig { sqlite_heap_limit_bytes: 8 << 20, ..Default::default() });
        // SAFETY: a negative argument only reads the limit.
        assert_eq!(unsafe { libsqlite3_sys::sqlite3_soft_heap_limit64(-1) }, 8 << 20);
        apply(&MemoryConfig { sqlite_heap_limit_bytes: 0, ..Default::default() });
        assert_eq!(unsafe { libsqlite3_sys::sqlite3_soft_heap_limit64(-1) }, 0);
    }

    #[test]
    fn trimming_gives_freed_pages_back() {
        // 64 MiB in small blocks, freed: glibc keeps them; a trim returns them.
        let blocks: Vec<Vec<u8>> = (0..16_384).map(|i| vec![i as u8; 4096]).collect();
        drop(blocks);
        if cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert!(trim());
        }
    }

    #[test]
    fn sqlite_memory_is_counted() {
        let before = sqlite_memory().0;
        let conn = {
            use diesel::Connection;
            diesel::sqlite::SqliteConnection::establish(":memory:").unwrap()
        };
        assert!(sqlite_memory().0 > before, "an open connection allocates through SQLite");
        drop(conn);
    }
}
