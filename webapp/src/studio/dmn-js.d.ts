// The parts of dmn-js (which ships no types) that the studio's decision table editor uses.
declare module "dmn-js/lib/Modeler" {
  export interface DmnView {
    id: string;
    type: string;
    name?: string;
    element: { id: string; name?: string };
  }

  export interface DmnViewer {
    get<T = unknown>(service: string): T;
    on(event: string, callback: (event: unknown) => void): void;
    off(event: string, callback: (event: unknown) => void): void;
  }

  export default class Modeler {
    constructor(options: { container: HTMLElement; [key: string]: unknown });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    saveXML(options?: { format?: boolean }): Promise<{ xml: string }>;
    getViews(): DmnView[];
    getActiveView(): DmnView | undefined;
    getActiveViewer(): DmnViewer | undefined;
    open(view: DmnView): Promise<unknown>;
    on(event: string, callback: (event: unknown) => void): void;
    destroy(): void;
    protected _getViewProviders(): { id: string }[];
  }
}
