//! The POX (Plain Old XML) messages of LTI 1.1 Basic Outcomes: replaceResult and readResult
//! requests, and the response envelope the LMS answers with.

use super::error::Lti11Error;

pub const POX_CONTENT_TYPE: &str = "application/xml";
const POX_NAMESPACE: &str = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0";

/// How much of an LMS's free text goes into an error message.
const MAX_DETAIL: usize = 300;

pub(super) fn message_id() -> String {
    format!("lablink-{:032x}", rand::random::<u128>())
}

/// Text for XML element content. `\r` is written as a reference, else parsers turn it into
/// `\n`; characters XML 1.0 cannot hold at all are refused.
fn xml_text(text: &str) -> Result<String, Lti11Error> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => return Err(Lti11Error::InvalidSourcedid),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Decimal text with a fractional part (`1.0`, not `1`), never an exponent, never `-0`.
fn score_text(score: f64) -> String {
    let text = format!("{}", if score == 0.0 { 0.0 } else { score });
    if text.contains('.') { text } else { format!("{text}.0") }
}

pub(super) fn pox_request(
    operation: &str,
    message_id: &str,
    sourcedid: &str,
    score: Option<f64>,
) -> Result<String, Lti11Error> {
    let result = score.map_or_else(String::new, |s| {
        format!(
            "<result><resultScore><language>en</language><textString>{}</textString></resultScore></result>",
            score_text(s)
        )
    });
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <imsx_POXEnvelopeRequest xmlns=\"{POX_NAMESPACE}\">\
         <imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>\
         <imsx_messageIdentifier>{message_id}</imsx_messageIdentifier>\
         </imsx_POXRequestHeaderInfo></imsx_POXHeader>\
         <imsx_POXBody><{operation}><resultRecord>\
         <sourcedGUID><sourcedId>{}</sourcedId></sourcedGUID>{result}\
         </resultRecord></{operation}></imsx_POXBody></imsx_POXEnvelopeRequest>",
        xml_text(sourcedid)?
    ))
}

#[derive(Debug, PartialEq)]
pub(super) struct PoxAnswer {
    pub code_major: String,
    pub description: String,
    /// readResult's `resultScore/textString`, when there is one.
    pub score_text: Option<String>,
}

/// Reads a POX response envelope. Elements are matched by local name: LMSs differ in the
/// namespace (or leave it out). roxmltree refuses DTDs, so no entity tricks get through.
pub(super) fn parse_pox_response(text: &str) -> Result<PoxAnswer, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "imsx_POXEnvelopeResponse" {
        return Err(format!("expected an imsx_POXEnvelopeResponse, got <{}>", clip(root.tag_name().name())));
    }
    let find = |name: &str| root.descendants().find(|n| n.is_element() && n.tag_name().name() == name);
    let text_of = |name: &str| find(name).map(|n| n.text().unwrap_or_default().trim().to_owned());
    let code_major = text_of("imsx_codeMajor").ok_or("no imsx_codeMajor in the answer")?;
    let score_text = find("resultScore")
        .and_then(|s| s.children().find(|n| n.is_element() && n.tag_name().name() == "textString"))
        .map(|n| n.text().unwrap_or_default().to_owned());
    Ok(PoxAnswer {
        code_major: code_major.to_ascii_lowercase(),
        description: clip(&text_of("imsx_description").unwrap_or_default()),
        score_text,
    })
}

pub(super) fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_DETAIL {
        text.to_owned()
    } else {
        text.chars().take(MAX_DETAIL).chain(['…']).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_sourcedids_are_escaped_or_refused() {
        let hostile = "a</sourcedId><sourcedId>b&c\"'>\r\n";
        let body = pox_request("replaceResultRequest", "m1", hostile, Some(0.5)).unwrap();
        let doc = roxmltree::Document::parse(&body).unwrap();
        let ids: Vec<_> =
            doc.descendants().filter(|n| n.has_tag_name((POX_NAMESPACE, "sourcedId"))).collect();
        assert_eq!(ids.len(), 1, "{body}");
        assert_eq!(ids[0].text(), Some(hostile), "read back exactly, CR included");
        assert!(matches!(
            pox_request("readResultRequest", "m1", "a\u{0}b", None),
            Err(Lti11Error::InvalidSourcedid)
        ));
    }

    #[test]
    fn requests_carry_a_decimal_score_and_unique_ids() {
        let body = pox_request("replaceResultRequest", "m1", "s", Some(1.0)).unwrap();
        assert!(body.contains("<textString>1.0</textString>"), "{body}");
        assert!(body.contains("<imsx_messageIdentifier>m1</imsx_messageIdentifier>"));
        assert_eq!(score_text(-0.0), "0.0");
        assert_eq!(score_text(0.875), "0.875");
        assert_eq!(score_text(1e-7), "0.0000001", "no exponent");
        let read = pox_request("readResultRequest", "m2", "s", None).unwrap();
        assert!(read.contains("<readResultRequest>") && !read.contains("resultScore"), "{read}");
        assert_ne!(message_id(), message_id());
    }

    fn envelope(code: &str, description: &str, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imsx_POXEnvelopeResponse xmlns=\"{POX_NAMESPACE}\">\
             <imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version>\
             <imsx_messageIdentifier>r1</imsx_messageIdentifier><imsx_statusInfo>\
             <imsx_codeMajor>{code}</imsx_codeMajor><imsx_severity>status</imsx_severity>\
             <imsx_description>{description}</imsx_description>\
             <imsx_messageRefIdentifier>m1</imsx_messageRefIdentifier></imsx_statusInfo>\
             </imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>{body}</imsx_POXBody>\
             </imsx_POXEnvelopeResponse>"
        )
    }

    #[test]
    fn responses_are_parsed() {
        let ok = parse_pox_response(&envelope("success", "Score set", "<replaceResultResponse/>")).unwrap();
        assert_eq!(
            (ok.code_major.as_str(), ok.description.as_str(), ok.score_text),
            ("success", "Score set", None)
        );

        let read = envelope(
            "success",
            "",
            "<readResultResponse><result><resultScore><language>en</language>\
             <textString>0.25</textString></resultScore></result></readResultResponse>",
        );
        assert_eq!(parse_pox_response(&read).unwrap().score_text.as_deref(), Some("0.25"));
        let empty = envelope(
            "success",
            "",
            "<readResultResponse><result><resultScore><language>en</language>\
             <textString/></resultScore></result></readResultResponse>",
        );
        assert_eq!(parse_pox_response(&empty).unwrap().score_text.as_deref(), Some(""));

        let failed = parse_pox_response(&envelope("Failure", "sourcedid &lt;x&gt; unknown", "")).unwrap();
        assert_eq!(
            (failed.code_major.as_str(), failed.description.as_str()),
            ("failure", "sourcedid <x> unknown")
        );
        let unsupported = parse_pox_response(&envelope("unsupported", "no delete", "")).unwrap();
        assert_eq!(unsupported.code_major, "unsupported");

        // No namespace at all is accepted too: LMSs are not uniform.
        let bare =
            "<imsx_POXEnvelopeResponse><imsx_codeMajor>success</imsx_codeMajor></imsx_POXEnvelopeResponse>";
        assert_eq!(parse_pox_response(bare).unwrap().code_major, "success");
    }

    #[test]
    fn garbage_is_not_taken_for_an_answer() {
        for garbage in [
            "",
            "<html><body>Moodle is being upgraded</body></html>",
            "{\"ok\": true}",
            "<imsx_POXEnvelopeResponse><imsx_POXHeader/></imsx_POXEnvelopeResponse>",
            "<imsx_POXEnvelopeResponse><unclosed></imsx_POXEnvelopeResponse>",
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><imsx_POXEnvelopeResponse><imsx_codeMajor>&e;</imsx_codeMajor></imsx_POXEnvelopeResponse>",
        ] {
            assert!(parse_pox_response(garbage).is_err(), "{garbage}");
        }
    }
}
