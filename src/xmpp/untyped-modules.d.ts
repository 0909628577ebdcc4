// xmpp.js 0.14 modules ferry builds its client from that have no type declarations.
declare module '@xmpp/connection-tcp' {
  const ConnectionTCP: new (options?: unknown) => object;
  export default ConnectionTCP;
}
