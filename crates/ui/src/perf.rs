//! Paint-timing marks for the benchmarks.

/// Records `performance.mark(name)` when the page has a Performance API; a no-op otherwise,
/// so widgets may call it unconditionally.
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
