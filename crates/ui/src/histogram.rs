//! A histogram of scores as SVG, several series side by side per bin (nbgrader's and the LMS's,
//! say). Numbers only inside the drawing; every word comes from the host.

use std::rc::Rc;

use yew::prelude::*;

use crate::bins::{bin_counts, bin_edges, nice_top, short_number};

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: AttrValue,
    pub values: Rc<Vec<f64>>,
    /// Colours the bars and the legend swatch (`lablink-series-1`, `lablink-series-2` …).
    pub class: AttrValue,
}

#[derive(Properties)]
pub struct HistogramProps {
    /// The drawing's accessible name.
    pub title: AttrValue,
    pub series: Rc<Vec<Series>>,
    /// The score axis runs from 0 to this.
    pub max: f64,
    #[prop_or(10)]
    pub bins: usize,
}

impl PartialEq for HistogramProps {
    /// The series by address (see `ByPtr`).
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.series, &other.series)
            && self.title == other.title
            && self.max == other.max
            && self.bins == other.bins
    }
}

const WIDTH: f64 = 480.0;
const HEIGHT: f64 = 180.0;
const LEFT: f64 = 32.0;
const BOTTOM: f64 = 22.0;
const TOP: f64 = 8.0;

#[function_component(Histogram)]
pub fn histogram(props: &HistogramProps) -> Html {
    let bins = props.bins.max(1);
    let counts: Vec<Vec<u64>> =
        props.series.iter().map(|s| bin_counts(s.values.iter().copied(), props.max, bins)).collect();
    let top = nice_top(counts.iter().flatten().copied().max().unwrap_or(0));
    let plot_w = WIDTH - LEFT - 4.0;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let bin_w = plot_w / bins as f64;
    let groups = props.series.len().max(1) as f64;
    let bar_w = (bin_w - 4.0).max(1.0) / groups;
    let edges = bin_edges(props.max, bins);

    let edges_ref = &edges;
    let bars = props.series.iter().zip(&counts).enumerate().flat_map(|(s, (series, counts))| {
        counts.iter().enumerate().map(move |(b, &n)| {
            let h = n as f64 / top as f64 * plot_h;
            let x = LEFT + b as f64 * bin_w + 2.0 + s as f64 * bar_w;
            let title = format!(
                "{}: {n} ({}–{})",
                series.label,
                short_number(edges_ref[b]),
                short_number(edges_ref[b + 1])
            );
            html! {
                <rect class={classes!("lablink-bar", series.class.clone())}
                    x={format!("{x:.1}")} y={format!("{:.1}", TOP + plot_h - h)}
                    width={format!("{bar_w:.1}")} height={format!("{h:.1}")}>
                    <title>{ title }</title>
                </rect>
            }
        })
    });
    // Ticks at every other edge when there are many bins, so the labels do not overlap.
    let step = if bins > 10 { 2 } else { 1 };
    let x_ticks = edges.iter().enumerate().filter(|(i, _)| i % step == 0).map(|(i, edge)| {
        let x = LEFT + i as f64 * bin_w;
        html! {
            <text class="lablink-axis-text" x={format!("{x:.1}")} y={format!("{:.1}", HEIGHT - 6.0)}
                text-anchor="middle">{ short_number(*edge) }</text>
        }
    });
    let legend = props.series.iter().map(|s| {
        html! {
            <li><span class={classes!("lablink-swatch", s.class.clone())} aria-hidden="true"></span>{ s.label.clone() }</li>
        }
    });
    html! {
        <figure class="lablink-histogram">
            <svg viewBox={format!("0 0 {WIDTH} {HEIGHT}")} role="img" aria-label={props.title.clone()}
                preserveAspectRatio="xMidYMid meet">
                <title>{ props.title.clone() }</title>
                <line class="lablink-axis" x1={LEFT.to_string()} x2={(WIDTH - 4.0).to_string()}
                    y1={(TOP + plot_h).to_string()} y2={(TOP + plot_h).to_string()} />
                <line class="lablink-axis" x1={LEFT.to_string()} x2={LEFT.to_string()}
                    y1={TOP.to_string()} y2={(TOP + plot_h).to_string()} />
                <text class="lablink-axis-text" x={(LEFT - 4.0).to_string()} y={(TOP + 8.0).to_string()}
                    text-anchor="end">{ top }</text>
                <text class="lablink-axis-text" x={(LEFT - 4.0).to_string()} y={(TOP + plot_h).to_string()}
                    text-anchor="end">{ "0" }</text>
                { for bars }
                { for x_ticks }
            </svg>
            <figcaption><ul class="lablink-legend">{ for legend }</ul></figcaption>
        </figure>
    }
}
