// The lablink grades panel in JupyterLab. This file only registers: the command
// `lablink:open-grades` (palette, launcher, left sidebar), the widget holding the panel, and the
// `serviceUrl` setting. Everything the panel shows and does is the Wasm's
// (crates/grades-panel); its strings come from ./labels through the lab's translator.

import {
  ILabShell,
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { ILauncher } from '@jupyterlab/launcher';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { LabIcon } from '@jupyterlab/ui-components';
import { Widget } from '@lumino/widgets';

import type { PanelHandle } from '../wasm/lablink_grades_panel.js';
import gradesSvg from '../style/icons/grades.svg';
import { labels } from './labels';

const PLUGIN_ID = '@lablink/labextension:plugin';
const COMMAND = 'lablink:open-grades';
/** The grading service's path under the hub's base URL (its name in c.JupyterHub.services). */
const SERVICE_PATH = 'services/lablink-grading/';

const gradesIcon = new LabIcon({ name: 'lablink:grades', svgstr: gradesSvg });

type PanelModule = typeof import('../wasm/lablink_grades_panel.js');
let panelModule: Promise<PanelModule> | null = null;

/** The Wasm is fetched when a panel first opens, not with the lab, so the lab starts as fast. */
function loadPanel(): Promise<PanelModule> {
  if (!panelModule) {
    panelModule = import('../wasm/lablink_grades_panel.js').then(async panel => {
      await panel.default();
      return panel;
    });
    // A failed fetch is tried again by the next panel, not remembered.
    panelModule.catch(() => (panelModule = null));
  }
  return panelModule;
}

/**
 * The service's URL when the setting is empty. JupyterHub's single-user server tells the lab
 * its hub prefix (`<base_url>hub/`), and services live at `<base_url>services/<name>/`, so a
 * hub with another base URL works unchanged; `hubHost` is set only when the hub has a host of
 * its own. A lab without a hub asks its own origin.
 */
function defaultServiceUrl(): string {
  const hubPrefix = PageConfig.getOption('hubPrefix');
  if (!hubPrefix) {
    return '/' + SERVICE_PATH;
  }
  const base = hubPrefix.replace(/hub\/?$/, '');
  return PageConfig.getOption('hubHost') + URLExt.join(base, SERVICE_PATH);
}

/** The node the Wasm panel is mounted in; unmounted when the widget goes. */
class GradesWidget extends Widget {
  private handle: PanelHandle | null = null;

  constructor(serviceUrl: string, trans: TranslationBundle) {
    super();
    this.addClass('lablink-grades');
    const status = document.createElement('p');
    status.className = 'lablink-grades-status';
    status.textContent = trans.__('Loading the grades panel…');
    this.node.appendChild(status);
    loadPanel().then(
      panel => {
        if (!this.isDisposed) {
          this.handle = panel.mount(this.node, { serviceUrl, labels: labels(trans) });
        }
      },
      (reason: unknown) => {
        console.error('lablink: the grades panel could not start', reason);
        status.classList.add('lablink-mod-error');
        status.textContent = trans.__(
          'The grades panel could not start: %1. Close this tab and open Grades again to retry.',
          String(reason)
        );
      }
    );
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this.handle?.unmount();
    this.handle?.free();
    this.handle = null;
    super.dispose();
  }
}

/**
 * The left sidebar's entry. The panel needs the width of the main area, so the sidebar icon
 * opens it there and folds the sidebar away again, as a button would.
 */
class GradesOpener extends Widget {
  constructor(
    private readonly open: () => void,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('lablink-grades-opener');
    const button = document.createElement('button');
    button.className = 'jp-Button jp-mod-styled jp-mod-accept';
    button.textContent = trans.__('Open the grades panel');
    button.addEventListener('click', open);
    this.node.appendChild(button);
  }

  protected onAfterShow(): void {
    this.open();
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The lablink grades panel: nbgrader scores next to the LMS, synced from the lab.',
  autoStart: true,
  requires: [ITranslator],
  optional: [ISettingRegistry, ICommandPalette, ILauncher, ILayoutRestorer, ILabShell],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator,
    settingRegistry: ISettingRegistry | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    labShell: ILabShell | null
  ) => {
    const trans = translator.load('lablink');
    const settings = settingRegistry
      ? settingRegistry.load(PLUGIN_ID).catch((reason: unknown) => {
          console.error('lablink: cannot read the settings, using the default URL', reason);
          return null;
        })
      : Promise.resolve(null);
    // Read when a panel opens: a changed URL applies to the next panel opened.
    const serviceUrl = async (): Promise<string> => {
      const value = (await settings)?.get('serviceUrl').composite;
      return typeof value === 'string' && value.trim() ? value.trim() : defaultServiceUrl();
    };

    const tracker = new WidgetTracker<MainAreaWidget<GradesWidget>>({
      namespace: 'lablink-grades'
    });

    app.commands.addCommand(COMMAND, {
      label: trans.__('Grades'),
      caption: trans.__('See the nbgrader scores next to the LMS and sync them'),
      icon: gradesIcon,
      execute: async () => {
        // One panel: opening it again brings the open one forward.
        const open = tracker.currentWidget;
        if (open && !open.isDisposed) {
          app.shell.activateById(open.id);
          return open;
        }
        const content = new GradesWidget(await serviceUrl(), trans);
        const widget = new MainAreaWidget({ content });
        widget.id = 'lablink-grades';
        widget.title.label = trans.__('Grades');
        widget.title.icon = gradesIcon;
        widget.title.closable = true;
        await tracker.add(widget);
        app.shell.add(widget, 'main');
        app.shell.activateById(widget.id);
        return widget;
      }
    });

    palette?.addItem({ command: COMMAND, category: trans.__('Grading') });
    launcher?.add({ command: COMMAND, category: trans.__('Other'), rank: 1 });
    restorer?.restore(tracker, { command: COMMAND, name: () => 'grades' });

    const opener = new GradesOpener(() => {
      void app.commands.execute(COMMAND);
      labShell?.collapseLeft();
    }, trans);
    opener.id = 'lablink-grades-opener';
    opener.title.icon = gradesIcon;
    opener.title.caption = trans.__('Grades');
    app.shell.add(opener, 'left', { rank: 850 });
  }
};

export default plugin;
