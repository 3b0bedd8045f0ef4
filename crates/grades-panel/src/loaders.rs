//! Loading what the panel shows (the caller and courses, a course's assignments and jobs, an
//! assignment's grades): one hook that fetches whenever its key changes and drops answers for a
//! key it has left.

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

use lablink_client::ClientError;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

#[derive(Debug)]
pub enum Load<T> {
    /// Nothing asked for (no key).
    Idle,
    Loading,
    Ready(Rc<T>),
    Failed(ClientError),
}

impl<T> Clone for Load<T> {
    fn clone(&self) -> Self {
        match self {
            Load::Idle => Load::Idle,
            Load::Loading => Load::Loading,
            Load::Ready(v) => Load::Ready(v.clone()),
            Load::Failed(e) => Load::Failed(e.clone()),
        }
    }
}

impl<T> PartialEq for Load<T> {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Load::Idle, Load::Idle) | (Load::Loading, Load::Loading) => true,
            (Load::Ready(a), Load::Ready(b)) => Rc::ptr_eq(a, b),
            (Load::Failed(a), Load::Failed(b)) => a == b,
            _ => false,
        }
    }
}

impl<T> Load<T> {
    pub fn ready(&self) -> Option<&Rc<T>> {
        match self {
            Load::Ready(v) => Some(v),
            _ => None,
        }
    }
}

/// `fetch(key)` whenever `key` or `generation` changes (nothing while the key is `None`). A
/// new key shows as loading; a new generation of the same key (Refresh, a finished sync)
/// keeps what is shown until the fresh answer replaces it, so the table does not blink.
#[hook]
pub fn use_load<K, T, F, Fut>(key: Option<K>, generation: u32, fetch: F) -> Load<T>
where
    K: PartialEq + Clone + 'static,
    T: 'static,
    F: Fn(K) -> Fut + 'static,
    Fut: Future<Output = Result<T, ClientError>> + 'static,
{
    let state = use_state(|| Load::<T>::Idle);
    let last_key = use_mut_ref(|| None::<K>);
    {
        let state = state.clone();
        use_effect_with((key, generation), move |(key, _)| {
            let cancelled = Rc::new(Cell::new(false));
            let same_key = *last_key.borrow() == *key;
            *last_key.borrow_mut() = key.clone();
            match key.clone() {
                Some(key) => {
                    if !(same_key && matches!(*state, Load::Ready(_))) {
                        state.set(Load::Loading);
                    }
                    let stop = cancelled.clone();
                    spawn_local(async move {
                        let result = fetch(key).await;
                        if !stop.get() {
                            state.set(match result {
                                Ok(value) => Load::Ready(Rc::new(value)),
                                Err(error) => Load::Failed(error),
                            });
                        }
                    });
                }
                None => state.set(Load::Idle),
            }
            move || cancelled.set(true)
        });
    }
    (*state).clone()
}
