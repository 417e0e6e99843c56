// Saves bytes or text as a file through a temporary object URL.
export function downloadBlob(data: BlobPart, filename: string, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file-name-safe version of a model name. */
export const fileStem = (name: string | undefined) => (name ?? 'model').replace(/[^\w.-]+/g, '_');
