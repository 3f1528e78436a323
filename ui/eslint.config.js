// ESLint for the UI (`npm run lint`, run by scripts/desktop-test.sh with the unit tests).
// typescript-eslint parses with the TypeScript 6 API: the `typescript` package here is
// @typescript/typescript6 (TypeScript 7 has no JavaScript API yet), while `tsc` is TypeScript 7
// from the `@typescript/native` alias; see package.json.

import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["dist/", "src/bindings/"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // As tsc's noUnusedLocals/noUnusedParameters: a leading underscore marks a binding kept
      // on purpose (a parameter React Flow passes, a field left out of a rest object).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
    },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  { files: ["src/**/*.{ts,tsx}", "public/**/*.js"], languageOptions: { globals: globals.browser } },
  // The smoke test runs in Node and hands functions to the page, which run in the browser.
  { files: ["e2e-web/**/*.mjs"], languageOptions: { globals: { ...globals.node, ...globals.browser } } },
  { files: ["*.config.{js,ts}"], languageOptions: { globals: globals.node } },
  // A function body that the end-to-end tests run in the page.
  {
    files: ["e2e-web/still.js"],
    languageOptions: { sourceType: "script", parserOptions: { ecmaFeatures: { globalReturn: true } }, globals: globals.browser },
  },
);
