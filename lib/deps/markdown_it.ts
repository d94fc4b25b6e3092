/** markdown-it (CommonMark renderer for notebook markdown cells in the report), pinned (see README.md). @module */
// @ts-types="npm:@types/markdown-it@14.2.0"
export { default as MarkdownIt } from "npm:markdown-it@15.0.3";
// @ts-types="npm:@types/markdown-it@14.2.0"
export type { default as MarkdownItType, Options as MarkdownItOptions, Token } from "npm:markdown-it@15.0.3";
