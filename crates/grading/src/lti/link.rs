//! The `next` page of a paged LTI collection, from an HTTP `Link` header (RFC 8288). Read
//! leniently: Moodle writes `rel=“next”` with typographic quotes, others leave the quotes out
//! or use `rel='next'`, and a header may hold several links or relation types.

/// The URL of the link whose relation types include `next`, if any.
pub fn next_link(header: &str) -> Option<String> {
    split_links(header).into_iter().find_map(|link| {
        let (target, params) = link.split_once('>')?;
        let target = target.trim().strip_prefix('<')?.trim();
        let has_next = params.split(';').any(|param| {
            let Some((name, value)) = param.split_once('=') else { return false };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_matches(|c| matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’'))
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        (has_next && !target.is_empty()).then(|| target.to_owned())
    })
}

/// Splits on the commas between links, not those inside `<…>` or quotes.
fn split_links(header: &str) -> Vec<&str> {
    let (mut out, mut start, mut in_target, mut quote) = (Vec::new(), 0, false, None::<char>);
    for (i, c) in header.char_indices() {
        match (c, quote) {
            ('<', None) => in_target = true,
            ('>', None) => in_target = false,
            ('"' | '“', None) if !in_target => quote = Some(if c == '“' { '”' } else { '"' }),
            (c, Some(q)) if c == q => quote = None,
            (',', None) if !in_target => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn finds_next_however_it_is_quoted() {
        let url = "https://lms.example/mod/lti/services.php/2/lineitems?type_id=1&limit=10&from=10";
        for header in [
            format!("<{url}>; rel=\"next\""),
            format!("<{url}>; rel=“next”"),
            format!("<{url}>;rel=next"),
            format!("<{url}> ; REL='next'"),
            format!("<https://lms.example/first>; rel=\"first\", <{url}>; rel=\"next\""),
            format!("<{url}>; rel=\"next last\", <https://lms.example/x>; rel=\"prev\""),
            format!("<https://lms.example/p>; rel=\"prev\"; title=\"a, b\", <{url}>; rel=“next”"),
        ] {
            assert_eq!(next_link(&header).as_deref(), Some(url), "{header}");
        }
    }

    #[test]
    fn no_next_means_none() {
        for header in [
            "",
            "<https://lms.example/a>; rel=\"prev\"",
            "<https://lms.example/a>; rel=\"nextish\"",
            "https://lms.example/a; rel=next",
            "<>; rel=next",
        ] {
            assert_eq!(next_link(header), None, "{header}");
        }
    }

    #[test]
    fn commas_inside_the_url_stay() {
        let header = "<https://lms.example/items?ids=1,2,3&from=3>; rel=\"next\"";
        assert_eq!(next_link(header).as_deref(), Some("https://lms.example/items?ids=1,2,3&from=3"));
    }
}
