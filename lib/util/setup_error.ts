/**
 * A missing system prerequisite (Jupyter, Chromium, a font, rsvg-convert…), with the command that fixes it.
 *
 * @module
 */

/** A missing prerequisite, with the command that fixes it. */
export class SetupError extends Error {
  constructor(message: string, readonly fix: string) {
    super(`${message}\n  fix: ${fix}`);
    this.name = "SetupError";
  }
}
