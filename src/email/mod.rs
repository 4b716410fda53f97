//! Email: templates rendered per message ([`render`]) from a typed context ([`context`]),
//! built into `.eml` files ([`message`]) with an outbox ([`compose`]). Sending them is
//! `delivery`, above the state database that records each send.
pub mod compose;
pub mod context;
pub mod management;
pub mod message;
pub mod render;
pub mod words;
