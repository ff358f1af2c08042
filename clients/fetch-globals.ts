/**
 * The generated fetch client names `BodyInit`, a DOM lib type; this project compiles against
 * Node's lib only, where the same type is the body of `RequestInit`.
 */
declare global {
  type BodyInit = NonNullable<RequestInit['body']>
}

export {}
