//! The grading service's API (`lablink grading`, a JupyterHub service) as the grades panel
//! calls it from inside JupyterLab.
//!
//! Sign-in is the hub's: GETs carry the browser's cookies and follow redirects, so when the
//! service answers `signed_out` with a `login_url`, one GET of that URL runs the hub's OAuth
//! round trip inside `fetch` and lands back on the API. POSTs cannot take that detour, and the
//! service wants proof they come from our own page: they carry `X-Lablink-Request: 1`, and the
//! client makes sure of a session with a first `api/me` before its first POST.
//!
//! Every answer is read field by field from `JSON.parse` (see `wire`), never by serde in the
//! bundle; anything that is not the API's JSON (a sign-in page served with 200) is an error the
//! panel can name, not a decoding panic.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use js_sys::{Array, Object};
use lablink_protocol::grading::{
    AssignmentInfo, AssignmentList, CourseInfo, CourseList, GradeRow, GradeTable, GradingErrorBody,
    GradingErrorCode, GradingErrorDetail, JobList, JobState, JobStatus, LmsKind, LmsView, Me, Outcome,
    StudentResult, SyncPreview, SyncRequest,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventSource, MessageEvent, RequestCredentials};

use crate::files::encode_segment;
use crate::wire::{self, FromJs, WireResult, get, int, opt_string, string, uint};
use crate::{ClientError, ErrorKind};

/// The grading service at one base URL (`/services/lablink-grading/`).
pub struct GradingClient {
    /// Ends with `/`.
    base: String,
    /// Whether `api/me` answered, so POSTs are sent with a session behind them.
    armed: Cell<bool>,
}

impl GradingClient {
    pub fn new(base: &str) -> Self {
        let base = if base.ends_with('/') { base.to_owned() } else { format!("{base}/") };
        Self { base, armed: Cell::new(false) }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `{base}api/{route}`; the parts of `route` are already encoded.
    fn url(&self, route: &str) -> String {
        format!("{}api/{route}", self.base)
    }

    fn assignment_route(course: &str, assignment: &str, rest: &str) -> String {
        format!("courses/{}/assignments/{}/{rest}", encode_segment(course), encode_segment(assignment))
    }

    /// `GET api/me`; a success also arms POSTs.
    pub async fn me(&self) -> Result<Me, ClientError> {
        let me = self.get("me").await?;
        self.armed.set(true);
        Ok(me)
    }

    pub async fn courses(&self) -> Result<CourseList, ClientError> {
        self.get("courses").await
    }

    pub async fn assignments(&self, course: &str) -> Result<AssignmentList, ClientError> {
        self.get(&format!("courses/{}/assignments", encode_segment(course))).await
    }

    pub async fn grades(&self, course: &str, assignment: &str) -> Result<GradeTable, ClientError> {
        self.get(&Self::assignment_route(course, assignment, "grades")).await
    }

    pub async fn preview(
        &self,
        course: &str,
        assignment: &str,
        req: &SyncRequest,
    ) -> Result<SyncPreview, ClientError> {
        self.post(&Self::assignment_route(course, assignment, "preview"), req).await
    }

    pub async fn sync(
        &self,
        course: &str,
        assignment: &str,
        req: &SyncRequest,
    ) -> Result<JobStatus, ClientError> {
        self.post(&Self::assignment_route(course, assignment, "sync"), req).await
    }

    pub async fn jobs(&self, course: &str) -> Result<JobList, ClientError> {
        self.get(&format!("courses/{}/jobs", encode_segment(course))).await
    }

    pub async fn job(&self, id: &str) -> Result<JobStatus, ClientError> {
        self.get(&format!("jobs/{}", encode_segment(id))).await
    }

    /// Follows a job's event stream: `on_status` gets every progress event and the final one
    /// (with every student's outcome), after which the stream is closed. Dropping the watch
    /// closes it too. If the stream cannot be opened or breaks for good, the job is read once
    /// with a GET so the caller still learns where it stands.
    pub fn watch(&self, id: &str, on_status: impl Fn(JobStatus) + 'static) -> JobWatch {
        let url = self.url(&format!("jobs/{}/events", encode_segment(id)));
        let on_status: Rc<dyn Fn(JobStatus)> = Rc::new(on_status);
        let init = web_sys::EventSourceInit::new();
        init.set_with_credentials(true);
        let Ok(source) = EventSource::new_with_event_source_init_dict(&url, &init) else {
            return JobWatch { source: None, _progress: None, _done: None, _error: None };
        };
        let progress = {
            let on_status = on_status.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                if let Some(status) = event_status(&e) {
                    on_status(status);
                }
            })
        };
        let done = {
            let (on_status, source) = (on_status.clone(), source.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                // Closed first: the server ends the stream now, and a browser would reconnect.
                source.close();
                if let Some(status) = event_status(&e) {
                    on_status(status);
                }
            })
        };
        let error = {
            let (source, job_url) = (source.clone(), self.url(&format!("jobs/{}", encode_segment(id))));
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                // CONNECTING means the browser retries on its own; CLOSED means it gave up.
                if source.ready_state() != EventSource::CLOSED {
                    return;
                }
                let (on_status, job_url) = (on_status.clone(), job_url.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(status) = fetch_get::<JobStatus>(&job_url).await {
                        on_status(status);
                    }
                });
            })
        };
        let _ = source.add_event_listener_with_callback("progress", progress.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("done", done.as_ref().unchecked_ref());
        source.set_onerror(Some(error.as_ref().unchecked_ref()));
        JobWatch { source: Some(source), _progress: Some(progress), _done: Some(done), _error: Some(error) }
    }

    /// Where the browser downloads the assignment's table as CSV (a plain link: the cookie
    /// goes with it).
    pub fn csv_url(&self, course: &str, assignment: &str) -> String {
        self.url(&Self::assignment_route(course, assignment, "grades.csv"))
    }

    /// The service's own sign-in page, for a link when no `login_url` came with an error.
    pub fn login_url(&self) -> String {
        format!("{}login", self.base)
    }

    async fn get<T: FromJs>(&self, route: &str) -> Result<T, ClientError> {
        let url = self.url(route);
        let first = fetch_get(&url).await;
        let Err(error) = &first else { return first };
        let Some(login) = error.login_url.clone().filter(|_| error.kind == ErrorKind::SignedOut) else {
            return first;
        };
        // The hub's OAuth round trip, inside fetch: login → hub authorize → our callback →
        // back to this URL. A hub that wants the user to sign in first shows a page instead,
        // and then the first answer (with its login_url) is the one to report.
        let sign_in = with_next(&login, &path_of(&url));
        match fetch_get::<T>(&sign_in).await {
            Ok(value) => Ok(value),
            // Signed in, and the API itself refused (not an instructor, say): that is the news.
            Err(again) if again.grading_code().is_some_and(|c| kind_of(c) != ErrorKind::SignedOut) => {
                Err(again)
            }
            // Anything else on the way (a hub page, a redirect fetch may not follow) leaves
            // the user to sign in by hand.
            Err(_) => first,
        }
    }

    async fn post<T: FromJs>(&self, route: &str, req: &SyncRequest) -> Result<T, ClientError> {
        if !self.armed.get() {
            self.me().await?;
        }
        let body =
            wire::stringify(&encode_request(req)).map_err(|e| ClientError::new(ErrorKind::Refused, e))?;
        let request = Request::post(&self.url(route))
            .credentials(RequestCredentials::Include)
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .header("X-Lablink-Request", "1")
            .body(body)
            .map_err(|e| ClientError::new(ErrorKind::Refused, e.to_string()))?;
        read(request.send().await.map_err(ClientError::offline)?).await
    }
}

/// A followed job stream; closes on drop.
pub struct JobWatch {
    source: Option<EventSource>,
    _progress: Option<Closure<dyn FnMut(MessageEvent)>>,
    _done: Option<Closure<dyn FnMut(MessageEvent)>>,
    _error: Option<Closure<dyn FnMut(web_sys::Event)>>,
}

impl JobWatch {
    pub fn close(&self) {
        if let Some(source) = &self.source {
            source.close();
        }
    }
}

impl Drop for JobWatch {
    fn drop(&mut self) {
        self.close();
    }
}

fn event_status(e: &MessageEvent) -> Option<JobStatus> {
    let text = e.data().as_string()?;
    wire::parse(&text).and_then(|v| JobStatus::from_js(&v)).ok()
}

fn json_get(url: &str) -> RequestBuilder {
    Request::get(url).credentials(RequestCredentials::Include).header("Accept", "application/json")
}

async fn fetch_get<T: FromJs>(url: &str) -> Result<T, ClientError> {
    read(json_get(url).send().await.map_err(ClientError::offline)?).await
}

async fn read<T: FromJs>(response: Response) -> Result<T, ClientError> {
    let status = response.status();
    let content_type = response.headers().get("content-type").unwrap_or_default();
    let text = response.text().await.map_err(ClientError::offline)?;
    decode(status, &response.status_text(), &content_type, &text)
}

/// `url` with `?next=` (or `&next=`) the given path, percent-encoded.
pub fn with_next(url: &str, next: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}next={}", encode_segment(next))
}

/// The path and query of `url` as the browser resolves it against the page.
fn path_of(url: &str) -> String {
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    match web_sys::Url::new_with_base(url, &base) {
        Ok(parsed) => format!("{}{}", parsed.pathname(), parsed.search()),
        Err(_) => url.to_owned(),
    }
}

/// Whether an answer is a web page rather than the API's JSON.
pub fn looks_like_html(content_type: &str, body: &str) -> bool {
    content_type.to_ascii_lowercase().contains("html") || body.trim_start().starts_with('<')
}

/// How coarse a widget's reaction to a code is.
pub fn kind_of(code: GradingErrorCode) -> ErrorKind {
    use GradingErrorCode as C;
    match code {
        C::SignedOut | C::InvalidToken => ErrorKind::SignedOut,
        C::NotAUser
        | C::NoAccess
        | C::CrossSiteRequest
        | C::NotInstructor
        | C::OauthDenied
        | C::OauthFailed => ErrorKind::Forbidden,
        C::NotFound => ErrorKind::NotFound,
        C::BadOauthState | C::BadRequest | C::Conflict | C::NoLaunch => ErrorKind::Refused,
        C::Lms
        | C::HubUnavailable
        | C::HubNotConfigured
        | C::HubMisconfigured
        | C::Gradebook
        | C::Internal => ErrorKind::Server,
    }
}

impl ClientError {
    /// The grading service's error code, when the error came from it.
    pub fn grading_code(&self) -> Option<GradingErrorCode> {
        self.code.as_deref().and_then(GradingErrorCode::from_wire)
    }

    /// The service's error body as a client error, its code and `login_url` kept.
    pub fn from_grading(detail: GradingErrorDetail) -> Self {
        let GradingErrorDetail { code, message, login_url } = detail;
        Self { kind: kind_of(code), message, code: Some(code.as_str().to_owned()), login_url }
    }

    /// A web page where the API's JSON was expected: the hub's (or a proxy's) sign-in page.
    pub fn sign_in_page() -> Self {
        Self::new(
            ErrorKind::SignedOut,
            "the grading service answered with a web page (a sign-in page?), not data",
        )
        .with_code(GradingErrorCode::SignedOut.as_str())
    }
}

/// Reads an answer that arrived in full (tested in the browser with real service bodies).
pub fn decode<T: FromJs>(
    status: u16,
    status_text: &str,
    content_type: &str,
    body: &str,
) -> Result<T, ClientError> {
    let parsed = wire::parse(body);
    if (200..300).contains(&status) {
        return match parsed {
            Ok(value) => T::from_js(&value).map_err(ClientError::unreadable),
            Err(_) if looks_like_html(content_type, body) => Err(ClientError::sign_in_page()),
            Err(e) => Err(ClientError::unreadable(e)),
        };
    }
    match parsed.and_then(|v| GradingErrorBody::from_js(&v)) {
        Ok(body) => Err(ClientError::from_grading(body.error)),
        Err(_) => Err(ClientError::from_status(status, status_text)),
    }
}

/// The body of `preview` and `sync`.
pub fn encode_request(req: &SyncRequest) -> JsValue {
    let object = wire::object();
    if let Some(students) = &req.students {
        wire::set(&object, "students", strings_array(students));
    }
    if !req.overwrite.is_empty() {
        wire::set(&object, "overwrite", strings_array(&req.overwrite));
    }
    object
}

fn strings_array(items: &[String]) -> Array {
    items.iter().map(|s| JsValue::from_str(s)).collect()
}

// ---- readers ----

fn number(v: &JsValue, name: &str) -> WireResult<f64> {
    get(v, name).as_f64().filter(|n| n.is_finite()).ok_or_else(|| format!("`{name}` is not a number"))
}

fn opt_number(v: &JsValue, name: &str) -> WireResult<Option<f64>> {
    let value = get(v, name);
    if value.is_undefined() || value.is_null() { Ok(None) } else { number(v, name).map(Some) }
}

fn boolean(v: &JsValue, name: &str) -> WireResult<bool> {
    get(v, name).as_bool().ok_or_else(|| format!("`{name}` is not true or false"))
}

fn items(v: &JsValue, name: &str) -> WireResult<Array> {
    let list = get(v, name);
    if Array::is_array(&list) { Ok(Array::from(&list)) } else { Err(format!("`{name}` is not a list")) }
}

fn list<T: FromJs>(v: &JsValue, name: &str) -> WireResult<Vec<T>> {
    items(v, name)?.iter().map(|item| T::from_js(&item).map_err(|e| format!("{name}: {e}"))).collect()
}

fn strings(v: &JsValue, name: &str) -> WireResult<Vec<String>> {
    items(v, name)?
        .iter()
        .map(|s| s.as_string().ok_or_else(|| format!("`{name}` holds a non-string")))
        .collect()
}

fn outcome(text: &str) -> WireResult<Outcome> {
    Outcome::from_wire(text).ok_or_else(|| format!("unknown outcome {text:?}"))
}

fn opt_outcome(v: &JsValue, name: &str) -> WireResult<Option<Outcome>> {
    opt_string(v, name)?.map(|s| outcome(&s)).transpose()
}

fn counts(v: &JsValue, name: &str) -> WireResult<BTreeMap<Outcome, u64>> {
    let map = get(v, name);
    if !map.is_object() {
        return Err(format!("`{name}` is not an object"));
    }
    let mut out = BTreeMap::new();
    for key in Object::keys(map.unchecked_ref::<Object>()).iter().filter_map(|k| k.as_string()) {
        out.insert(outcome(&key)?, uint(&map, &key).map_err(|e| format!("{name}: {e}"))?);
    }
    Ok(out)
}

impl FromJs for Me {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(Me { name: string(v, "name")?, admin: boolean(v, "admin")?, groups: strings(v, "groups")? })
    }
}

impl FromJs for CourseInfo {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        let lms = match string(v, "lms")?.as_str() {
            "lti13" => LmsKind::Lti13,
            "lti11" => LmsKind::Lti11,
            other => return Err(format!("unknown LMS kind {other:?}")),
        };
        Ok(CourseInfo { id: string(v, "id")?, lms, instructor_group: string(v, "instructor_group")? })
    }
}

impl FromJs for CourseList {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        // Older services do not send the groups: none to name, then.
        let instructor_groups = if get(v, "instructor_groups").is_undefined() {
            Vec::new()
        } else {
            strings(v, "instructor_groups")?
        };
        Ok(CourseList { user: string(v, "user")?, courses: list(v, "courses")?, instructor_groups })
    }
}

impl FromJs for AssignmentInfo {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(AssignmentInfo {
            name: string(v, "name")?,
            duedate: opt_string(v, "duedate")?,
            max_score: number(v, "max_score")?,
            submissions: uint(v, "submissions")?,
            students: uint(v, "students")?,
        })
    }
}

impl FromJs for AssignmentList {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(AssignmentList { course: string(v, "course")?, assignments: list(v, "assignments")? })
    }
}

impl FromJs for GradeRow {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(GradeRow {
            student_id: string(v, "student_id")?,
            first_name: opt_string(v, "first_name")?,
            last_name: opt_string(v, "last_name")?,
            lms_user_id: opt_string(v, "lms_user_id")?,
            submitted_at: opt_string(v, "submitted_at")?,
            raw_score: number(v, "raw_score")?,
            late_penalty: number(v, "late_penalty")?,
            score: number(v, "score")?,
            max_score: number(v, "max_score")?,
            ungraded_cells: uint(v, "ungraded_cells")?,
            lms_score: opt_number(v, "lms_score")?,
            status: opt_outcome(v, "status")?,
        })
    }
}

impl FromJs for LmsView {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(LmsView {
            line_item: opt_string(v, "line_item")?,
            line_max: opt_number(v, "line_max")?,
            error: opt_string(v, "error")?,
        })
    }
}

impl FromJs for GradeTable {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(GradeTable {
            course: string(v, "course")?,
            assignment: string(v, "assignment")?,
            max_score: number(v, "max_score")?,
            lms: LmsView::from_js(&get(v, "lms")).map_err(|e| format!("lms: {e}"))?,
            rows: list(v, "rows")?,
        })
    }
}

impl FromJs for StudentResult {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(StudentResult {
            student_id: string(v, "student_id")?,
            lms_user_id: opt_string(v, "lms_user_id")?,
            score: number(v, "score")?,
            max_score: number(v, "max_score")?,
            lms_score: opt_number(v, "lms_score")?,
            outcome: outcome(&string(v, "outcome")?)?,
            detail: opt_string(v, "detail")?,
        })
    }
}

impl FromJs for SyncPreview {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(SyncPreview {
            course: string(v, "course")?,
            assignment: string(v, "assignment")?,
            lms: LmsView::from_js(&get(v, "lms")).map_err(|e| format!("lms: {e}"))?,
            rows: list(v, "rows")?,
            counts: counts(v, "counts")?,
        })
    }
}

impl FromJs for JobStatus {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        let state = match string(v, "state")?.as_str() {
            "running" => JobState::Running,
            "finished" => JobState::Finished,
            "failed" => JobState::Failed,
            other => return Err(format!("unknown job state {other:?}")),
        };
        // Progress events leave the students out.
        let students = if get(v, "students").is_undefined() { Vec::new() } else { list(v, "students")? };
        Ok(JobStatus {
            id: string(v, "id")?,
            course: string(v, "course")?,
            assignment: string(v, "assignment")?,
            started_by: string(v, "started_by")?,
            created_at: int(v, "created_at")?,
            state,
            error: opt_string(v, "error")?,
            total: uint(v, "total")?,
            done: uint(v, "done")?,
            counts: counts(v, "counts")?,
            students,
        })
    }
}

impl FromJs for JobList {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(JobList { jobs: list(v, "jobs")? })
    }
}

/// The service's error body. An unknown code (a newer service) is refused, and the answer is
/// then reported by its HTTP status.
impl FromJs for GradingErrorBody {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        let detail = get(v, "error");
        let code = string(&detail, "code")?;
        let code =
            GradingErrorCode::from_wire(&code).ok_or_else(|| format!("unknown error code {code:?}"))?;
        Ok(GradingErrorBody {
            error: GradingErrorDetail {
                code,
                message: string(&detail, "message")?,
                login_url: opt_string(&detail, "login_url")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_their_parts() {
        let c = GradingClient::new("/services/lablink-grading");
        assert_eq!(c.base(), "/services/lablink-grading/");
        assert_eq!(
            c.csv_url("intro 101", "ps1/../x"),
            "/services/lablink-grading/api/courses/intro%20101/assignments/ps1%2F..%2Fx/grades.csv"
        );
        assert_eq!(c.login_url(), "/services/lablink-grading/login");
        assert_eq!(with_next("/s/login", "/s/api/me"), "/s/login?next=%2Fs%2Fapi%2Fme");
        assert_eq!(with_next("/s/login?a=1", "/s/api/me?x=1"), "/s/login?a=1&next=%2Fs%2Fapi%2Fme%3Fx%3D1");
    }

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of(GradingErrorCode::SignedOut), ErrorKind::SignedOut);
        assert_eq!(kind_of(GradingErrorCode::InvalidToken), ErrorKind::SignedOut);
        assert_eq!(kind_of(GradingErrorCode::NotInstructor), ErrorKind::Forbidden);
        assert_eq!(kind_of(GradingErrorCode::CrossSiteRequest), ErrorKind::Forbidden);
        assert_eq!(kind_of(GradingErrorCode::NotFound), ErrorKind::NotFound);
        assert_eq!(kind_of(GradingErrorCode::NoLaunch), ErrorKind::Refused);
        assert_eq!(kind_of(GradingErrorCode::Lms), ErrorKind::Server);
        let e = ClientError::from_grading(GradingErrorDetail {
            code: GradingErrorCode::SignedOut,
            message: "sign in".into(),
            login_url: Some("/s/login".into()),
        });
        assert_eq!(e.grading_code(), Some(GradingErrorCode::SignedOut));
        assert_eq!((e.kind, e.login_url.as_deref()), (ErrorKind::SignedOut, Some("/s/login")));
        assert_eq!(ClientError::sign_in_page().grading_code(), Some(GradingErrorCode::SignedOut));
    }

    #[test]
    fn web_pages_are_recognised() {
        assert!(looks_like_html("text/html; charset=utf-8", ""));
        assert!(looks_like_html("", "  <!DOCTYPE html><html>"));
        assert!(!looks_like_html("application/json", "{}"));
    }
}
