/**
 * Kuma-style field paths: `networking.inbound[0].tags["kuma.io/service"]`.
 * Fields are joined with dots, indexes in brackets, map keys quoted like Go's %q.
 */
export class FieldPath {
  private constructor(private readonly text: string) {}

  static root(field = ''): FieldPath {
    return new FieldPath(field);
  }

  field(name: string): FieldPath {
    return new FieldPath(this.text === '' ? name : `${this.text}.${name}`);
  }

  index(i: number): FieldPath {
    return new FieldPath(`${this.text}[${i}]`);
  }

  key(k: string): FieldPath {
    return new FieldPath(`${this.text}[${JSON.stringify(k)}]`);
  }

  toString(): string {
    return this.text;
  }
}
