/**
 * Messages of the Eclipse hawkBit Direct Device Integration (DDI) API, as plain records shared by
 * the server and device clients. Component names are the JSON field names hawkBit uses (hence
 * {@code _links}); link relation names such as {@code download-http} are map keys. Absent
 * optional parts are {@code null} and are left out of the JSON.
 */
package dev.modelyard.wire.ddi;
