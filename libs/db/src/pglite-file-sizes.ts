/**
 * File sizes PGlite's data files have, known without asking the OS each time.
 *
 * PostgreSQL learns a relation's length by seeking to its end (`lseek(fd, 0,
 * SEEK_END)`): for the table and every index of it each time it plans a
 * statement, and when a scan starts. Emscripten's Node file system answers
 * such a seek with an `fstat` system call; a profile of embedded reads had
 * 7% of the process's time in it. Every change to these files in this process
 * goes through the same file system (PostgreSQL is their only writer, and
 * the data directory belongs to one process), so a file's size, once asked,
 * is kept on its node: a write past the end moves it, a truncation forgets it.
 */
import type { PGlite } from '@electric-sql/pglite';

const seekEnd = 2;

/** What this module uses of Emscripten's NODEFS (its types are not exported). */
interface Node {
  mode: number;
}
interface Stream {
  node: Node;
}
interface NodeFs {
  stream_ops: {
    llseek(stream: Stream, offset: number, whence: number): number;
    write(stream: Stream, buffer: Uint8Array, offset: number, length: number, position: number, canOwn?: boolean): number;
    setattr?(stream: Stream, attr: object): void;
  };
  node_ops: { setattr(node: Node, attr: object): void };
  fileSizesKept?: true;
}

/** Patches the data directory's file system of `pglite` (Emscripten's NODEFS) once. */
export function rememberFileSizes(pglite: PGlite): void {
  const nodefs = pglite.Module.NODEFS as unknown as NodeFs;
  const isFile = (pglite.Module.FS as unknown as { isFile(mode: number): boolean }).isFile;
  if (nodefs.fileSizesKept) return;
  const { stream_ops: stream, node_ops: node } = nodefs;
  // Missing what it patches (another PGlite build): PGlite as it is.
  if (typeof stream.llseek !== 'function' || typeof stream.write !== 'function' || typeof node.setattr !== 'function' || typeof isFile !== 'function') return;
  const sizes = new WeakMap<Node, number>();
  const { llseek, write, setattr: streamSetattr } = stream;
  const nodeSetattr = node.setattr;
  stream.llseek = function (this: unknown, file, offset, whence) {
    if (whence !== seekEnd || !isFile(file.node.mode)) return llseek.call(this, file, offset, whence);
    const size = sizes.get(file.node);
    if (size !== undefined && size + offset >= 0) return size + offset;
    const position = llseek.call(this, file, offset, whence);
    sizes.set(file.node, position - offset);
    return position;
  };
  stream.write = function (this: unknown, file, buffer, offset, length, position, canOwn) {
    const written = write.call(this, file, buffer, offset, length, position, canOwn);
    const size = sizes.get(file.node);
    if (size !== undefined && position + written > size) sizes.set(file.node, position + written);
    return written;
  };
  // A truncation, by path or by descriptor: the size is asked again.
  node.setattr = function (this: unknown, target, attr) {
    sizes.delete(target);
    return nodeSetattr.call(this, target, attr);
  };
  if (streamSetattr) {
    stream.setattr = function (this: unknown, file, attr) {
      sizes.delete(file.node);
      return streamSetattr.call(this, file, attr);
    };
  }
  nodefs.fileSizesKept = true;
}
