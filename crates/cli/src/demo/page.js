// The demo host page: boots the picker Wasm and gives it a token source. A real host (the
// Moodle plugin) does the same with its own transport.
import init, { mount } from "/assets/lablink_picker.js";

const params = new URLSearchParams(location.search);
const mode = params.get("mode") === "destination" ? "destination" : "folder";
const element = document.getElementById("picker");
const dark = document.getElementById("dark");
dark.checked = params.get("theme") === "dark";
const applyTheme = () => document.body.classList.toggle("dark", dark.checked);
dark.addEventListener("change", applyTheme);
applyTheme();
if (mode === "destination") {
  document.getElementById("legend").textContent = "Copy into folder";
}

async function token(method, path) {
  const query = new URLSearchParams({ method, path });
  const response = await fetch(`/demo/token?${query}`);
  if (!response.ok) throw new Error(`the token route answered ${response.status}`);
  return response.text();
}

try {
  await init();
  window.lablinkPicker = mount(element, {
    mode,
    initialPath: params.get("path") ?? "",
    field: "lablink_path",
    transport: { kind: "files", base: "/files", home: "demo", token },
    onPick: (path) => document.dispatchEvent(new CustomEvent("lablink-picked", { detail: path })),
  });
} catch (error) {
  element.textContent = `The folder picker could not start: ${error}. Run \`cargo xtask demo\`, which builds it.`;
  throw error;
}
