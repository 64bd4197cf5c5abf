// Lint: TypeScript rules everywhere, n8n's community-node rules where n8n loads code (nodes/, credentials/) and on
// package.json. The one deliberate deviation, the @azure/msal-node runtime dependency, is explained in README.md.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import n8nCommunityNodes from '@n8n/eslint-plugin-community-nodes';

const n8n = n8nCommunityNodes.configs.recommended;

export default tseslint.config(
  // npm start's state (n8n's user folder holds the editor's bundled JavaScript) and output are not sources.
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.emulator-data/**', 'bench/results/**', '.sandbox/**', 'connectors-out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  { files: ['test/**/*.ts', 'scripts/**/*.ts'], rules: { 'no-console': 'off', '@typescript-eslint/no-require-imports': 'off' } },
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    files: ['nodes/**/*.ts', 'credentials/**/*.ts', 'package.json'],
    plugins: n8n.plugins,
    rules: n8n.rules,
  },
  {
    files: ['package.json'],
    languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
    rules: {
      // Deviation kept on purpose: the design requires @azure/msal-node at runtime for Entra ID auth (see README).
      '@n8n/community-nodes/no-runtime-dependencies': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      // The n8n key is declared before the package ships its first node, and an empty node list is its honest value.
      '@n8n/community-nodes/n8n-object-validation': 'off',
    },
  },
);
