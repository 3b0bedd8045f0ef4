//! A progress bar, determinate or not.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProgressBarProps {
    /// Fraction done, `0.0..=1.0`; `None` when the total is unknown.
    pub value: Option<f64>,
    /// What is in progress, shown under the bar and used as its accessible name.
    pub label: AttrValue,
}

/// Whole percent for a fraction, clamped, with NaN counted as nothing done.
fn percent(value: f64) -> u32 {
    if value.is_nan() { 0 } else { (value.clamp(0.0, 1.0) * 100.0).round() as u32 }
}

#[function_component(ProgressBar)]
pub fn progress_bar(props: &ProgressBarProps) -> Html {
    let now = props.value.map(percent);
    let class = classes!("lablink-progress", now.is_none().then_some("lablink-progress-indeterminate"));
    let fill_style = now.map(|p| format!("width: {p}%"));
    html! {
        <div {class}>
            <div
                class="lablink-progress-track"
                role="progressbar"
                aria-label={props.label.clone()}
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow={now.map(|p| p.to_string())}
            >
                <div class="lablink-progress-fill" style={fill_style}></div>
            </div>
            <span class="lablink-progress-label" aria-hidden="true">{ props.label.clone() }</span>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percent_is_clamped_and_rounded() {
        assert_eq!(percent(0.0), 0);
        assert_eq!(percent(0.424), 42);
        assert_eq!(percent(0.425), 43);
        assert_eq!(percent(1.0), 100);
        assert_eq!(percent(1.5), 100);
        assert_eq!(percent(-0.2), 0);
        assert_eq!(percent(f64::NAN), 0);
    }
}
