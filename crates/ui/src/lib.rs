//! Yew components shared by the lablink widgets (the Moodle folder picker and the JupyterLab
//! grades panel): a virtualised folder list and data table, breadcrumbs, loading and error
//! states, a progress bar, a histogram, a confirmation dialog and notices.
//!
//! Hosts call [`install_style`] once before mounting and wrap their widget in an element with
//! the class `lablink-root`. Hosts theme them with `--lablink-*` properties, set on that element
//! or any ancestor.
//! Every name coming from a workspace is rendered as text (never as HTML), passed through
//! [`display_name`] so that bidi and invisible characters cannot disguise it.
//!
//! Views, one component per file: `folder_list`, `breadcrumbs`, `load_state`, `progress_bar`,
//! `confirm_dialog`, `notice_area`, `data_table` (virtualised, sortable, with tick boxes),
//! `histogram` (SVG). Their pure logic, tested on the host: `window` (which rows to draw),
//! `keys` (key → action), `filter` (type-ahead), `format` (names, sizes, dates), `trail`
//! (breadcrumb segments), `table_sort` (row order), `bins` (histogram bins, axis numbers).
//! Plumbing: `mounts` (a widget per host element, found again by its mark), `style`
//! (`lablink.css` installed once), `perf` (Performance marks), `by_ptr`.

mod bins;
mod breadcrumbs;
mod by_ptr;
mod confirm_dialog;
mod data_table;
mod filter;
mod folder_list;
mod format;
mod histogram;
mod keys;
mod load_state;
mod mounts;
mod notice_area;
mod perf;
mod progress_bar;
mod style;
mod table_sort;
mod trail;
mod window;

pub use bins::{bin_counts, bin_edges, nice_top, short_number};
pub use breadcrumbs::{Breadcrumbs, BreadcrumbsProps};
pub use by_ptr::ByPtr;
pub use confirm_dialog::{ConfirmDialog, ConfirmDialogProps};
pub use data_table::{Column, DataTable, DataTableProps, TableCell, TableRow};
pub use folder_list::{FolderList, FolderListProps, ListLabels};
pub use format::{display_name, format_time, human_size, nbgrader_time};
pub use histogram::{Histogram, HistogramProps, Series};
pub use load_state::{LoadLabels, LoadState, LoadStateProps};
pub use mounts::{mount_into, unmount_from};
pub use notice_area::{Notice, NoticeArea, NoticeAreaProps, NoticeKind};
pub use perf::mark;
pub use progress_bar::{ProgressBar, ProgressBarProps};
pub use style::{STYLE, STYLE_ELEMENT_ID, install_style};
pub use table_sort::{SortDir, SortKey, next_sort, sort_order};
