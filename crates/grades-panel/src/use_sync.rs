//! The sync flow's effects: the preview and sync requests each step asks for, and the job's
//! event stream while it runs. The steps themselves are `sync_flow`'s.

use std::rc::Rc;

use lablink_client::GradingClient;
use lablink_protocol::grading::SyncRequest;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::sync_flow::{Flow, FlowAction};

/// What the views can do with a sync.
#[derive(Clone, PartialEq)]
pub struct SyncHandle {
    pub flow: Rc<Flow>,
    /// Sync grades (`None`) or Retry failed (those students): loads the preview.
    pub preview: Callback<Option<Vec<String>>>,
    pub toggle: Callback<String>,
    pub tick_all: Callback<bool>,
    pub cancel: Callback<()>,
    pub confirm: Callback<()>,
    pub dismiss: Callback<()>,
}

#[hook]
pub fn use_sync(
    client: Rc<GradingClient>,
    course: String,
    assignment: String,
    on_finished: Callback<()>,
) -> SyncHandle {
    let flow = use_reducer(|| Flow::Idle);

    // Each assignment has its own flow.
    {
        let dispatcher = flow.dispatcher();
        use_effect_with((course.clone(), assignment.clone()), move |_| {
            dispatcher.dispatch(FlowAction::Reset)
        });
    }

    // Follow the job while it runs; the watch closes when the effect is cleaned up (the job
    // ended, or the panel went away).
    {
        let (client, dispatcher) = (client.clone(), flow.dispatcher());
        let running = match &*flow {
            Flow::Running(job) => Some(job.id.clone()),
            _ => None,
        };
        use_effect_with(running, move |running| {
            let watch = running
                .as_ref()
                .map(|id| client.watch(id, move |status| dispatcher.dispatch(FlowAction::Progress(status))));
            move || drop(watch)
        });
    }
    // A finished job changes the table and the history.
    {
        let done = matches!(&*flow, Flow::Done(_));
        use_effect_with(done, move |done| {
            if *done {
                on_finished.emit(());
            }
        });
    }

    let preview = {
        let (client, dispatcher, flow) = (client.clone(), flow.dispatcher(), flow.clone());
        let (course, assignment) = (course.clone(), assignment.clone());
        Callback::from(move |students: Option<Vec<String>>| {
            if flow.next(FlowAction::Preview(students.clone())).is_none() {
                return;
            }
            dispatcher.dispatch(FlowAction::Preview(students.clone()));
            let (client, dispatcher, course, assignment) =
                (client.clone(), dispatcher.clone(), course.clone(), assignment.clone());
            spawn_local(async move {
                let request = SyncRequest { students, overwrite: Vec::new() };
                match client.preview(&course, &assignment, &request).await {
                    Ok(preview) => dispatcher.dispatch(FlowAction::Previewed(preview)),
                    Err(e) => dispatcher.dispatch(FlowAction::Failed(e)),
                }
            });
        })
    };
    let confirm = {
        let (client, dispatcher, flow) = (client.clone(), flow.dispatcher(), flow.clone());
        Callback::from(move |()| {
            let Some(request) = flow.request() else { return };
            dispatcher.dispatch(FlowAction::Confirm);
            let (client, dispatcher, course, assignment) =
                (client.clone(), dispatcher.clone(), course.clone(), assignment.clone());
            spawn_local(async move {
                match client.sync(&course, &assignment, &request).await {
                    Ok(job) => dispatcher.dispatch(FlowAction::Started(job)),
                    Err(e) => dispatcher.dispatch(FlowAction::Failed(e)),
                }
            });
        })
    };
    let send = |make: fn(()) -> FlowAction| {
        let dispatcher = flow.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(make(())))
    };
    let toggle = {
        let dispatcher = flow.dispatcher();
        Callback::from(move |id: String| dispatcher.dispatch(FlowAction::Toggle(id)))
    };
    let tick_all = {
        let dispatcher = flow.dispatcher();
        Callback::from(move |all: bool| dispatcher.dispatch(FlowAction::TickAll(all)))
    };
    SyncHandle {
        flow: Rc::new((*flow).clone()),
        preview,
        toggle,
        tick_all,
        cancel: send(|()| FlowAction::Cancel),
        confirm,
        dismiss: send(|()| FlowAction::Dismiss),
    }
}
