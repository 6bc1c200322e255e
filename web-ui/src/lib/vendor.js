// The console's one library, lit-html (declarative templates), from its Maven Central (mvnpm) jar,
// which the server serves under /_static/. The version comes from the pom (property lit-html.version).
// Every other module imports lit-html from here, never from the path.
export { html, svg, render, nothing, noChange } from '/_static/lit-html/@lit-html.version@/lit-html.js';
export { repeat } from '/_static/lit-html/@lit-html.version@/directives/repeat.js';
export { live } from '/_static/lit-html/@lit-html.version@/directives/live.js';
export { classMap } from '/_static/lit-html/@lit-html.version@/directives/class-map.js';
export { ifDefined } from '/_static/lit-html/@lit-html.version@/directives/if-defined.js';
export { ref, createRef } from '/_static/lit-html/@lit-html.version@/directives/ref.js';
