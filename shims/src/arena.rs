//! A bump allocator for the shim's short life on Linux.
//!
//! musl's malloc (the Linux release shim is static musl) maps and unmaps a page for almost
//! every small allocation: about 20 of the shim's ~60 syscalls before `exec` were
//! `mmap`/`munmap`/`brk`. The shim allocates a few KiB in total and then execs, so
//! allocations are carved from a static arena (in .bss: no file size, no syscall) and never
//! returned to it; the last allocation grows in place. When the arena is full (an unusually
//! large environment), allocation falls back to the system allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

const SIZE: usize = 64 * 1024;

#[repr(C, align(16))]
struct Buffer(UnsafeCell<[u8; SIZE]>);

// SAFETY: disjoint ranges are handed out through the atomic `NEXT`; nobody reads the buffer
// as a whole.
unsafe impl Sync for Buffer {}

static BUFFER: Buffer = Buffer(UnsafeCell::new([0; SIZE]));
/// Offset of the first free byte.
static NEXT: AtomicUsize = AtomicUsize::new(0);

pub struct Arena;

fn base() -> usize {
    BUFFER.0.get() as usize
}

fn in_arena(ptr: *mut u8) -> bool {
    (base()..base() + SIZE).contains(&(ptr as usize))
}

/// Reserves `layout` in the arena, or `None` when it does not fit.
fn bump(layout: Layout) -> Option<*mut u8> {
    let mut start = 0;
    NEXT.fetch_update(Ordering::AcqRel, Ordering::Acquire, |next| {
        start = (base() + next).next_multiple_of(layout.align()) - base();
        let end = start.checked_add(layout.size())?;
        (end <= SIZE).then_some(end)
    })
    .ok()
    .map(|_| (base() + start) as *mut u8)
}

// SAFETY: every pointer returned is either a fresh, suitably aligned, unshared arena range or
// comes from `System`; arena pointers are never passed to `System`.
unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match bump(layout) {
            Some(ptr) => ptr,
            // SAFETY: forwarded with the caller's (valid, non-zero-size) layout.
            None => unsafe { System.alloc(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if !in_arena(ptr) {
            // SAFETY: not an arena pointer, so `System` allocated it with this layout.
            unsafe { System.dealloc(ptr, layout) }
            return;
        }
        // The most recent allocation is handed back (a temporary path or string): the next
        // one reuses its bytes, so short-lived values touch no new page.
        let offset = ptr as usize - base();
        let _ = NEXT.compare_exchange(
            offset + layout.size(),
            offset,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if in_arena(ptr) {
            // The most recent allocation grows (or shrinks) in place: the common case of a
            // String or Vec being built up.
            let offset = ptr as usize - base();
            let end = offset + layout.size();
            if let Some(new_end) = offset.checked_add(new_size).filter(|&e| e <= SIZE)
                && NEXT
                    .compare_exchange(end, new_end, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
            {
                return ptr;
            }
        }
        // SAFETY: same contract as `GlobalAlloc::realloc`'s default: a new block of the new
        // size and the old alignment, the old contents copied, the old block released.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = self.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocations_are_aligned_disjoint_and_fall_back_when_full() {
        let a = Arena;
        // SAFETY: valid layouts; every block is released with the layout it was made with.
        unsafe {
            let l8 = Layout::from_size_align(24, 8).unwrap();
            let l64 = Layout::from_size_align(10, 64).unwrap();
            let p = a.alloc(l8);
            let q = a.alloc(l64);
            assert_eq!(q as usize % 64, 0);
            assert!(q as usize >= p as usize + 24);
            p.write_bytes(1, 24);
            let q2 = a.realloc(q, l64, 4000); // last block: grows in place
            assert_eq!(q2, q);
            let p2 = a.realloc(p, l8, 48); // not last: moved, contents kept
            assert_ne!(p2, p);
            assert_eq!(*p2.add(23), 1);
            // The last block (p2), released, is reused; an earlier one (q2) is not.
            a.dealloc(q2, Layout::from_size_align(4000, 64).unwrap());
            a.dealloc(p2, Layout::from_size_align(48, 8).unwrap());
            assert_eq!(a.alloc(l8), p2, "the last block is reused");
            assert!(a.alloc(l8) as usize > p2 as usize, "q2 is not");
            let big = Layout::from_size_align(SIZE * 2, 8).unwrap();
            let b = a.alloc(big);
            assert!(!b.is_null() && !in_arena(b));
            a.dealloc(b, big);
        }
    }
}
