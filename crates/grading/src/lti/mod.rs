//! LTI services as a tool calls them: the LTI 1.3 client-credentials token, Assignment and Grade
//! Services, Names and Role Provisioning; and LTI 1.1 Basic Outcomes.

pub mod ags;
pub mod assertion;
pub mod clock;
pub mod http;
pub mod link;
pub mod lti11;
pub mod token;
