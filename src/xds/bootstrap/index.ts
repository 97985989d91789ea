export { bootstrapComponents, type BootstrapServerOptions } from './bootstrap-server.js';
export { envoyBootstrapYaml, type EnvoyBootstrapParams } from './envoy-bootstrap.js';
export { grpcBootstrap, type GrpcBootstrapParams } from './grpc-bootstrap.js';
