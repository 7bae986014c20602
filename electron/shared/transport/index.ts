// The one transport: a JSON-RPC peer over a message pipe.
export { MAX_INFLIGHT, RemoteError, RpcPeer, toWireError, type PeerOptions, type Serve } from './peer.js';
export { pipePair, streamPipe, type ByteSource, type MessagePipe, type PipeHandlers, type StreamPipe, type StreamPipeOptions } from './pipe.js';
