//! Heap bytes an analysis needs above the loaded model, counted by the allocator itself: the
//! model's heap once loaded (its text freed), the peak during `Engine::analyze` and what the
//! report keeps after it, in bytes and per component. Unlike the peak RSS of `peak_rss`, the
//! count does not depend on when an allocator returns freed memory to the system, so it is the
//! same from run to run. Uses the system allocator with a counter around it (not mimalloc).
//! `cargo run --release -p threatgraph-benches --example heap_peak -- model.json`
// A global allocator can only be written with `unsafe`: this one only counts and delegates.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on unchanged to the system allocator, which upholds the
// `GlobalAlloc` contract; the counters are atomics and never affect what is returned.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's guarantees for `layout` are passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (that is, by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and the caller's guarantees for `new_size` are passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                IN_USE.fetch_sub(layout.size() - new_size, Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: heap_peak MODEL.json")?;
    let text = std::fs::read_to_string(&path)?;
    let model = threatgraph::Model::from_str(&text, threatgraph::Format::from_path(&path))?;
    drop(text);
    let engine = threatgraph::Engine::bundled()?;
    let loaded = IN_USE.load(Relaxed);
    PEAK.store(loaded, Relaxed);
    let report = engine.analyze(&model)?;
    let (peak, kept) = (PEAK.load(Relaxed) - loaded, IN_USE.load(Relaxed).saturating_sub(loaded));
    let per_component = |bytes: usize| bytes as f64 / model.components.len().max(1) as f64;
    let out = serde_json::json!({
        "components": model.components.len(),
        "threats": std::hint::black_box(&report).threats.len(),
        "loaded_bytes": loaded,
        "analysis_peak_bytes": peak,
        "report_bytes": kept,
        "analysis_peak_bytes_per_component": per_component(peak).round(),
        "report_bytes_per_component": per_component(kept).round(),
    });
    println!("{out}");
    Ok(())
}
