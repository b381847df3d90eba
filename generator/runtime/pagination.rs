//! Cursor pagination: streams of pages and of items across pages.
