import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NOTHING_IMPORTS_CLI = { group: ['**/cli/*'], message: 'nothing imports cli/' };
const NOTHING_IMPORTS_MODES = { group: ['**/modes.js'], message: 'nothing but cli/ imports modes.ts (the table of components per mode)' };

/**
 * Layering of production code (tests may wire real implementations together): `dir` must not import the
 * listed top-level folders of src/. Subsystems (xds, kds, dns, api-server...) meet only in modes.ts and cli/,
 * through the runtime and core. Import cycles (type-only imports included) are refused by madge in `npm run lint`.
 */
const layer = (dir, forbidden, why, except = []) => ({
  files: [`src/${dir}/**/*.ts`],
  ignores: ['**/*.test.ts', ...except],
  rules: {
    'no-restricted-imports': ['error', { patterns: [NOTHING_IMPORTS_CLI, NOTHING_IMPORTS_MODES, { group: forbidden.map((f) => `**/${f}/**`), message: `${dir} ${why}` }] }],
  },
});
const SUBSYSTEMS = ['xds', 'kds', 'dns', 'api-server', 'diagnostics', 'kumactl', 'mads'];
const others = (self) => SUBSYSTEMS.filter((s) => s !== self);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'test/golden/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  {
    files: ['scripts/**/*.mjs', '*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { console: 'readonly', process: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name=/^(describe|it|test)$/][callee.property.name='only']", message: '.only is not allowed' },
      ],
      'no-restricted-imports': ['error', { patterns: [NOTHING_IMPORTS_CLI] }],
    },
  },
  // core imports nothing outside core, except core/runtime: the runtime is the composition root that holds the
  // configuration, the certificate signer (mtls) and the connection limits and TLS of the listeners (transport).
  layer('core', [...SUBSYSTEMS, 'plugins', 'grpc', 'config', 'mtls', 'transport', 'gui'], 'must not import anything outside core (only core/runtime wires config, mtls and transport in)', ['src/core/runtime/**']),
  layer('core/runtime', [...SUBSYSTEMS, 'plugins', 'grpc', 'gui'], 'must not depend on subsystems'),
  layer('transport', [...SUBSYSTEMS, 'plugins', 'grpc', 'gui'], 'is listener plumbing (TLS, connection limits) shared by subsystems: it must not depend on them'),
  layer('gui', [...SUBSYSTEMS, 'plugins', 'grpc', 'mtls', 'transport', 'config'], 'runs in the browser: it may share only core\'s vocabulary'),
  layer('config', [...SUBSYSTEMS, 'plugins', 'grpc', 'mtls'], 'must not depend on subsystems'),
  layer('grpc', [...SUBSYSTEMS, 'plugins'], 'is gRPC plumbing shared by subsystems: it must not depend on them'),
  layer('mtls', [...SUBSYSTEMS, 'plugins', 'grpc', 'transport', 'gui'], 'is identity shared by subsystems: it must not depend on them'),
  layer('plugins', [...SUBSYSTEMS, 'grpc'], 'are store implementations: they must not depend on subsystems'),
  ...['xds', 'kds', 'dns', 'api-server', 'diagnostics'].map((s) => layer(s, [...others(s), 'plugins'], 'must not depend on another subsystem or a store implementation (they meet in modes.ts through the runtime)')),
  // mads (monitoring assignments) reads the store view and serves gRPC and HTTP: it answers its HTTP errors through the
  // API server's error mapping and body reader (api-server/error-mapping.ts, request-body.ts), and imports no other
  // subsystem; no subsystem imports it (xds -> mads and mads -> xds are refused: they meet in modes.ts).
  layer('mads', [...others('mads').filter((s) => s !== 'api-server'), 'plugins', 'gui'], 'must not depend on another subsystem (but the API server\'s HTTP error mapping) or a store implementation'),
  // kumactl talks to the REST API only: no server code, the API server's included (its answers' shapes are types in core).
  // What it may load from core at run time is checked by test/architecture/runtime-imports.test.ts.
  layer('kumactl', [...others('kumactl'), 'plugins', 'grpc', 'mtls', 'transport', 'gui'], 'is a client of the REST API: it must not depend on the control plane\'s code'),
);
