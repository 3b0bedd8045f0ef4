//! Shared data compared by identity. `Rc<T>`'s own `==` compares contents whenever `T` is not
//! `Eq` (rows holding `f64`, say), so a 2,000-row table would be walked on every render of
//! every component it passes through; as props and hook dependencies these compare by address.

use std::ops::Deref;
use std::rc::Rc;

#[derive(Debug, Default)]
pub struct ByPtr<T>(pub Rc<T>);

impl<T> Clone for ByPtr<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> PartialEq for ByPtr<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl<T> Deref for ByPtr<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<Rc<T>> for ByPtr<T> {
    fn from(rc: Rc<T>) -> Self {
        Self(rc)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_only_when_shared() {
        let a = ByPtr(Rc::new(vec![1.5]));
        assert_eq!(a, a.clone());
        assert_ne!(a, ByPtr(Rc::new(vec![1.5])), "same contents, another value");
        assert_eq!(a[0], 1.5);
    }
}
