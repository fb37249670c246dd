//! graphiql
