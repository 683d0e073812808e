// CSS imports are bundled by esbuild into the hashed app CSS.
declare module '*.css';
