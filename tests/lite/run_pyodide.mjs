// Loads the Lite bundle's main.py in Pyodide (the runtime xlwings Lite uses) with the stand-in xlwings
// module, runs driver.py on the input JSON and prints its JSON output. Works offline: the npm pyodide
// package ships the interpreter and the standard library.
// usage: node run_pyodide.mjs PYODIDE_DIR BUNDLE_DIR INPUT_JSON
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, bundleDir, inputPath] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const { loadPyodide } = await import(pathToFileURL(join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + "/", stdout: () => {}, stderr: (s) => console.error(s) });
pyodide.FS.mkdirTree("/work");
const files = {
  "main.py": join(bundleDir, "main.py"),
  "xlwings.py": join(here, "xlwings.py"),
  "driver.py": join(here, "driver.py"),
  "input.json": inputPath,
};
for (const [name, path] of Object.entries(files)) {
  pyodide.FS.writeFile(`/work/${name}`, readFileSync(path));
}
try {
  pyodide.runPython("import sys; sys.path.insert(0, '/work')");
  process.stdout.write(pyodide.runPython("import driver; driver.run('/work/input.json')"));
} catch (e) {
  process.stderr.write(String(e.message || e) + "\n");
  process.exit(1);
}
