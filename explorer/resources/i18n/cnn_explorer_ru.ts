<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru" sourcelanguage="en">
<context>
    <name>AccuracyPanel</name>
    <message>
        <source>evaluation set</source>
        <translation>оценочный набор</translation>
    </message>
    <message>
        <source>the model&apos;s own (digits test / sample photos)</source>
        <translation>свой у модели (тест цифр / примеры фото)</translation>
    </message>
    <message>
        <source>digits (test split)</source>
        <translation>цифры (тестовая часть)</translation>
    </message>
    <message>
        <source>folder (ImageFolder layout)...</source>
        <translation>папка (структура ImageFolder)...</translation>
    </message>
    <message>
        <source>.npz file (x, y)...</source>
        <translation>файл .npz (x, y)...</translation>
    </message>
    <message>
        <source>at most</source>
        <translation>не более</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>intact</source>
        <translation>исходная</translation>
    </message>
    <message>
        <source>with deletions</source>
        <translation>с удалениями</translation>
    </message>
    <message>
        <source>change</source>
        <translation>изменение</translation>
    </message>
    <message>
        <source>Evaluation folder (one sub-folder per class)</source>
        <translation>Папка для оценки (по подпапке на класс)</translation>
    </message>
    <message>
        <source>Evaluation .npz</source>
        <translation>Файл .npz для оценки</translation>
    </message>
    <message>
        <source>{n} deleted: {blocks}</source>
        <translation>удалено {n}: {blocks}</translation>
    </message>
    <message>
        <source>images: {n}</source>
        <translation>изображений: {n}</translation>
    </message>
</context>
<context>
    <name>AcrossPanels</name>
    <message>
        <source>Run an image to see the networks side by side.</source>
        <extracomment>(pane index, block id): a point of a curve or a row of an SE heat map was clicked the Cancel button of the busy line was pressed</extracomment>
        <translation>Пропустите изображение, чтобы увидеть сети рядом.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Stop the run (after the network running now)</source>
        <translation>Остановить прогон (после текущей сети)</translation>
    </message>
    <message>
        <source>std of</source>
        <translation>СКО по</translation>
    </message>
    <message>
        <source>Which outputs the std is measured at: the ResNet paper&apos;s Fig. 7 plots the normalisation outputs (after BN, before the ReLU)</source>
        <translation>На каких выходах измеряется СКО: рис. 7 статьи ResNet показывает выходы нормализаций (после BN, до ReLU)</translation>
    </message>
    <message>
        <source>sorted</source>
        <translation>по убыванию</translation>
    </message>
    <message>
        <source>Sorted by magnitude, largest first (Fig. 7, lower plot)</source>
        <translation>По убыванию величины (рис. 7, нижний график)</translation>
    </message>
    <message>
        <source>log</source>
        <translation>лог.</translation>
    </message>
    <message>
        <source>Logarithmic std axis</source>
        <translation>Логарифмическая ось СКО</translation>
    </message>
    <message>
        <source>std</source>
        <translation>СКО</translation>
    </message>
    <message>
        <source>failed: {names}</source>
        <translation>ошибка: {names}</translation>
    </message>
    <message>
        <source>untrained weights, probabilities mean nothing: {names}</source>
        <translation>необученные веса, вероятности ничего не значат: {names}</translation>
    </message>
    <message>
        <source>rank, sorted by magnitude</source>
        <translation>ранг, по убыванию величины</translation>
    </message>
    <message>
        <source>layer index, in order of depth</source>
        <translation>номер слоя, по глубине</translation>
    </message>
    <message>
        <source> Gate per SE block and channel: 0 dark, 1 yellow.</source>
        <translation> Вентиль по SE-блокам и каналам: 0 — тёмный, 1 — жёлтый.</translation>
    </message>
    <message>
        <source>(random weights)</source>
        <translation>(случайные веса)</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>канал</translation>
    </message>
    <message>
        <source>SE block</source>
        <translation>SE-блок</translation>
    </message>
</context>
<context>
    <name>ActivationStdPanel</name>
    <message>
        <source>layers</source>
        <translation>слои</translation>
    </message>
    <message>
        <source>every layer</source>
        <translation>каждый слой</translation>
    </message>
    <message>
        <source>norm outputs (Fig. 7)</source>
        <translation>выходы нормализаций (рис. 7)</translation>
    </message>
    <message>
        <source>blocks</source>
        <translation>блоки</translation>
    </message>
    <message>
        <source>Keep curve</source>
        <translation>Оставить кривую</translation>
    </message>
    <message>
        <source>Keep this curve on the plot to compare with other models</source>
        <translation>Оставить эту кривую на графике для сравнения с другими моделями</translation>
    </message>
    <message>
        <source>Clear kept</source>
        <translation>Убрать оставленные</translation>
    </message>
    <message>
        <source>log scale</source>
        <translation>лог. шкала</translation>
    </message>
    <message>
        <source>layer, in order of depth</source>
        <translation>слой, по глубине</translation>
    </message>
    <message>
        <source>std</source>
        <translation>СКО</translation>
    </message>
    <message>
        <source>rank, sorted by magnitude</source>
        <translation>ранг, по убыванию величины</translation>
    </message>
    <message>
        <source>{model} ({weights}) on {image}</source>
        <translation>{model} ({weights}) на {image}</translation>
    </message>
    <message>
        <source>{label} (now)</source>
        <translation>{label} (сейчас)</translation>
    </message>
    <message>
        <source>; kept curves: {n}</source>
        <translation>; оставлено кривых: {n}</translation>
    </message>
    <message>
        <source>{n} outputs ({level}){kept}. Click a point to select its block.</source>
        <translation>Выходов: {n} ({level}){kept}. Щёлкните точку, чтобы выбрать её блок.</translation>
    </message>
</context>
<context>
    <name>ChartTab</name>
    <message>
        <source>reading torchvision&apos;s weights metadata</source>
        <translation>чтение метаданных весов torchvision</translation>
    </message>
    <message>
        <source>Recipe: each network&apos;s original (torchvision&apos;s IMAGENET1K_V1 weights, or the authors&apos; own)</source>
        <extracomment>outline of a ball of an improved recipe (the family colour&apos;s outline marks an original one) the parts of the core&apos;s sentence on the recipe (explorer.present.chart.recipe_note)</extracomment>
        <translation>Рецепт: исходный для каждой сети (веса IMAGENET1K_V1 из torchvision или авторские)</translation>
    </message>
    <message>
        <source>; {n} networks have improved weights too: see &apos;best available&apos;</source>
        <translation>; у сетей ({n}) есть и улучшенные веса: см. «лучший доступный»</translation>
    </message>
    <message>
        <source>Recipe: the best available weights; {n} networks gain from a later recipe (arrow from the faint ring, their original)</source>
        <translation>Рецепт: лучшие доступные веса; сети ({n}) выигрывают от более позднего рецепта (стрелка от бледного кольца — их исходного)</translation>
    </message>
    <message>
        <source>. Only an improved recipe published for {names} (dark ring)</source>
        <translation>. Только улучшенный рецепт опубликован для {names} (тёмное кольцо)</translation>
    </message>
    <message>
        <source>{recipe} recipe{w}, {px} px</source>
        <extracomment>the lines of a ball&apos;s tooltip (explorer.present.chart.tooltip) the window knows</extracomment>
        <translation>{recipe} рецепт{w}, {px} пикс.</translation>
    </message>
    <message>
        <source>parameters {n}</source>
        <translation>параметры {n}</translation>
    </message>
    <message>
        <source>{g} GMACs at {px} px</source>
        <translation>{g} GMAC при {px} пикс.</translation>
    </message>
    <message>
        <source>source: {s}</source>
        <translation>источник: {s}</translation>
    </message>
    <message>
        <source>{recipe} recipe ({w}): top-1 {t} % at {px} px ({d} points)</source>
        <translation>{recipe} рецепт ({w}): top-1 {t} % при {px} пикс. ({d} п.)</translation>
    </message>
    <message>
        <source>measured: {ips} images/s ({range}), batch {b}, {px} px, {gf} GFLOP/s{rest}</source>
        <translation>измерено: {ips} изображений/с ({range}), пакет {b}, {px} пикс., {gf} GFLOP/s{rest}</translation>
    </message>
    <message>
        <source>original</source>
        <translation>исходный</translation>
    </message>
    <message>
        <source>improved</source>
        <translation>улучшенный</translation>
    </message>
    <message>
        <source>trained on {data}, not ImageNet</source>
        <extracomment>why a network has no published figures (explorer.models.published.figures_for)</extracomment>
        <translation>обучена на {data}, не на ImageNet</translation>
    </message>
    <message>
        <source>no published ImageNet weights in torchvision or timm</source>
        <translation>нет опубликованных весов ImageNet в torchvision или timm</translation>
    </message>
    <message>
        <source>timm&apos;s published table has no row for its weights ({w})</source>
        <translation>в опубликованной таблице timm нет строки для её весов ({w})</translation>
    </message>
    <message>
        <source>torchvision publishes no ImageNet accuracy for these weights</source>
        <translation>torchvision не публикует точность ImageNet для этих весов</translation>
    </message>
    <message>
        <source> of peak</source>
        <translation> от пика</translation>
    </message>
    <message>
        <source>GMACs (published)</source>
        <extracomment>the core&apos;s names of the chart&apos;s axes and recipes (explorer.present.chart), for the catalogue</extracomment>
        <translation>GMAC (опубликованные)</translation>
    </message>
    <message>
        <source>parameters (millions)</source>
        <translation>параметры (млн)</translation>
    </message>
    <message>
        <source>images/s measured here</source>
        <translation>изображений/с, измерено здесь</translation>
    </message>
    <message>
        <source>ImageNet top-1 (%)</source>
        <translation>ImageNet top-1 (%)</translation>
    </message>
    <message>
        <source>ImageNet top-5 (%)</source>
        <translation>ImageNet top-5 (%)</translation>
    </message>
    <message>
        <source>original recipe</source>
        <translation>исходный рецепт</translation>
    </message>
    <message>
        <source>best available</source>
        <translation>лучший доступный</translation>
    </message>
    <message>
        <source>recipe</source>
        <translation>рецепт</translation>
    </message>
    <message>
        <source>original: each network as its paper trained it (torchvision&apos;s IMAGENET1K_V1 weights where torchvision has several), as in the lecture&apos;s chart; best available: later recipes too (torchvision&apos;s V2, timm&apos;s), with an arrow from each network&apos;s original ball</source>
        <translation>исходный: каждая сеть так, как её обучили в статье (веса IMAGENET1K_V1 из torchvision, где их несколько), как на графике из лекции; лучший доступный: также более поздние рецепты (V2 из torchvision, timm), со стрелкой от исходного шара каждой сети</translation>
    </message>
    <message>
        <source>log x</source>
        <translation>лог. x</translation>
    </message>
    <message>
        <source>log y</source>
        <translation>лог. y</translation>
    </message>
    <message>
        <source>names</source>
        <translation>имена</translation>
    </message>
    <message>
        <source>Ball area is proportional to parameters. Hover a ball for its figures and their source; click it to open the network.</source>
        <translation>Площадь шара пропорциональна числу параметров. Наведите на шар, чтобы увидеть цифры и их источник; щёлкните, чтобы открыть сеть.</translation>
    </message>
    <message>
        <source>Ball area = parameters:</source>
        <translation>Площадь шара = параметры:</translation>
    </message>
    <message>
        <source>Without published ImageNet figures</source>
        <translation>Без опубликованных цифр ImageNet</translation>
    </message>
    <message>
        <source>Not on the chart: no published figures. Double-click to open the network all the same.</source>
        <translation>Нет на графике: нет опубликованных цифр. Двойной щелчок всё равно откроет сеть.</translation>
    </message>
    <message>
        <source>Reading the published figures...</source>
        <translation>Чтение опубликованных цифр...</translation>
    </message>
    <message>
        <source>Without published ImageNet figures ({n}), not drawn:</source>
        <translation>Без опубликованных цифр ImageNet ({n}), не показаны:</translation>
    </message>
    <message>
        <source> ring of the family&apos;s colour: original recipe; </source>
        <translation> кольцо цвета семейства: исходный рецепт; </translation>
    </message>
    <message>
        <source> dark ring: improved recipe</source>
        <translation> тёмное кольцо: улучшенный рецепт</translation>
    </message>
    <message>
        <source> faint dashed ring and arrow: the same network&apos;s original recipe</source>
        <translation> бледное пунктирное кольцо и стрелка: исходный рецепт той же сети</translation>
    </message>
    <message>
        <source>. A name ending in NNNpx: figures at that resolution (else 224 px).</source>
        <translation>. Имя, оканчивающееся на NNNpx: цифры при этом разрешении (иначе 224 пикс.).</translation>
    </message>
    <message>
        <source>Nothing measured yet: measure networks in the Speed tab.</source>
        <translation>Пока ничего не измерено: измерьте сети на вкладке «Скорость».</translation>
    </message>
    <message>
        <source>Measured on {device}, batch {batch}.</source>
        <translation>Измерено на {device}, пакет {batch}.</translation>
    </message>
    <message>
        <source>Measured, but without published accuracy: {names}</source>
        <translation>Измерены, но без опубликованной точности: {names}</translation>
    </message>
    <message>
        <source>{n} networks with published figures not measured.</source>
        <translation>Сетей с опубликованными цифрами, но не измеренных: {n}.</translation>
    </message>
    <message>
        <source>Left off ({n}): {what}</source>
        <translation>Не показаны ({n}): {what}</translation>
    </message>
    <message>
        <source>{n} networks with published ImageNet figures.</source>
        <translation>Сетей с опубликованными цифрами ImageNet: {n}.</translation>
    </message>
    <message>
        <source> Hover a ball for its figures, recipe and source; click it to open the network.</source>
        <translation> Наведите на шар, чтобы увидеть цифры, рецепт и источник; щёлкните, чтобы открыть сеть.</translation>
    </message>
</context>
<context>
    <name>CompareView</name>
    <message>
        <source>looking for devices</source>
        <extracomment>the tabs, in order, by the names ``show_tab`` and the exported file take</extracomment>
        <translation>поиск устройств</translation>
    </message>
    <message>
        <source>Chart</source>
        <translation>График</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>Скорость</translation>
    </message>
    <message>
        <source>Density</source>
        <translation>Плотность</translation>
    </message>
    <message>
        <source>Kernels</source>
        <translation>Ядра</translation>
    </message>
    <message>
        <source>&lt;b&gt;Compare architectures&lt;/b&gt;: published ImageNet figures, and speed measured on this machine</source>
        <translation>&lt;b&gt;Сравнение архитектур&lt;/b&gt;: опубликованные цифры ImageNet и скорость, измеренная на этой машине</translation>
    </message>
    <message>
        <source>Back to the graph</source>
        <translation>Назад к графу</translation>
    </message>
    <message>
        <source>the kernel-size experiment</source>
        <translation>эксперимента с размером ядра</translation>
    </message>
    <message>
        <source>the speed measurement</source>
        <translation>измерения скорости</translation>
    </message>
    <message>
        <source>Export PNG</source>
        <translation>Экспорт PNG</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Экспорт не удался</translation>
    </message>
    <message>
        <source>Could not write {path}</source>
        <translation>Не удалось записать {path}</translation>
    </message>
</context>
<context>
    <name>CoreWords</name>
    <message>
        <source>looking up {name}</source>
        <translation>поиск {name}</translation>
    </message>
    <message>
        <source>importing torch</source>
        <translation>импорт torch</translation>
    </message>
    <message>
        <source>building {name}</source>
        <translation>построение {name}</translation>
    </message>
    <message>
        <source>tracing and grouping</source>
        <translation>трассировка и группировка</translation>
    </message>
    <message>
        <source>naming block kinds</source>
        <translation>определение видов блоков</translation>
    </message>
    <message>
        <source>reading the stored graph of {name}</source>
        <translation>чтение сохранённого графа {name}</translation>
    </message>
    <message>
        <source>{name}: the stored graph; importing torch</source>
        <translation>{name}: сохранённый граф; импорт torch</translation>
    </message>
    <message>
        <source>preprocessing</source>
        <translation>предобработка</translation>
    </message>
    <message>
        <source>{n} block(s) deleted</source>
        <translation>удалено блоков: {n}</translation>
    </message>
    <message>
        <source>forward pass</source>
        <translation>прямой проход</translation>
    </message>
    <message>
        <source>{k} of {n} images, {d} deletions</source>
        <translation>{k} из {n} изображений, удалений: {d}</translation>
    </message>
    <message>
        <source>{k} of {n} networks evaluated</source>
        <translation>оценено сетей: {k} из {n}</translation>
    </message>
    <message>
        <source>{k} of {n} orders evaluated</source>
        <translation>оценено порядков: {k} из {n}</translation>
    </message>
    <message>
        <source>evaluated {k} of {n} images</source>
        <translation>оценено {k} из {n} изображений</translation>
    </message>
    <message>
        <source>random weights: at initialisation the residual sum grows with depth; the ResNet paper&apos;s Fig. 7 is about trained networks</source>
        <translation>случайные веса: при инициализации остаточная сумма растёт с глубиной; рис. 7 статьи ResNet — об обученных сетях</translation>
    </message>
    <message>
        <source>random weights: these are responses at initialisation; the ResNet paper&apos;s Fig. 7 is about trained networks</source>
        <translation>случайные веса: это отклики при инициализации; рис. 7 статьи ResNet — об обученных сетях</translation>
    </message>
    <message>
        <source>trained weights: {label}</source>
        <translation>обученные веса: {label}</translation>
    </message>
    <message>
        <source>opened {data}: {n} images</source>
        <translation>открыт {data}: изображений {n}</translation>
    </message>
    <message>
        <source>{names}: {n} stages, aligned by downsampling step</source>
        <translation>{names}: стадий {n}, выровнены по шагам понижения разрешения</translation>
    </message>
    <message>
        <source>{small} digit upscaled to {size}</source>
        <translation>цифра {small}, увеличенная до {size}</translation>
    </message>
    <message>
        <source>loading weights: {what}</source>
        <translation>загрузка весов: {what}</translation>
    </message>
    <message>
        <source>{name}: random (untrained) weights</source>
        <translation>{name}: случайные (необученные) веса</translation>
    </message>
    <message>
        <source>{name}: bundled weights, trained by the project on digits{rest}</source>
        <translation>{name}: встроенные веса, обученные проектом на цифрах{rest}</translation>
    </message>
    <message>
        <source>pretrained {label} weights ({source})</source>
        <translation>предобученные веса {label} ({source})</translation>
    </message>
    <message>
        <source> ({top1} % test top-1)</source>
        <translation> ({top1} % top-1 на тесте)</translation>
    </message>
    <message>
        <source>random (untrained)</source>
        <translation>случайные (необученные)</translation>
    </message>
    <message>
        <source>bundled</source>
        <translation>встроенные</translation>
    </message>
    <message>
        <source>bundled (digits, {top1} %)</source>
        <translation>встроенные (цифры, {top1} %)</translation>
    </message>
    <message>
        <source>{n} points over</source>
        <extracomment>the parts of the core&apos;s captions under the landscape and paths plots (explorer.present.landscape.caption, explorer.present.paths.caption), each a pattern and its template here</extracomment>
        <translation>{n} точек на</translation>
    </message>
    <message>
        <source> over {span}</source>
        <translation> на {span}</translation>
    </message>
    <message>
        <source>{n} images of {data}</source>
        <translation>{n} изобр. из {data}</translation>
    </message>
    <message>
        <source>{x} s</source>
        <translation>{x} с</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} мин</translation>
    </message>
    <message>
        <source>{h} h</source>
        <translation>{h} ч</translation>
    </message>
    <message>
        <source>trained point: loss</source>
        <translation>обученная точка: потери</translation>
    </message>
    <message>
        <source>largest second difference {d}, local minima: {n}</source>
        <translation>наибольшая вторая разность {d}, локальных минимумов: {n}</translation>
    </message>
    <message>
        <source>{k} of {n} points</source>
        <translation>{k} из {n} точек</translation>
    </message>
    <message>
        <source>{n} residual blocks, 2^{n2} = {p} paths</source>
        <translation>остаточных блоков: {n}, 2^{n2} = {p} путей</translation>
    </message>
    <message>
        <source>effective paths {lo}-{hi} of {n} (90 % of the total gradient)</source>
        <translation>эффективные пути {lo}-{hi} из {n} (90 % всего градиента)</translation>
    </message>
    <message>
        <source>effective paths: not yet</source>
        <translation>эффективные пути: пока нет</translation>
    </message>
    <message>
        <source>{model} in the paper: {lo}-{hi} of {n}</source>
        <translation>{model} в статье: {lo}-{hi} из {n}</translation>
    </message>
    <message>
        <source>{n} stacked 3x3 convs see {f} of the map they take, as one {k} conv does: {a}C² = {pa} weights against {b}C² = {pb} (C = {c}), {n2} ReLUs against 1</source>
        <translation>{n} свёрток 3x3 подряд видят {f} своей входной карты, как одна свёртка {k}: {a}C² = {pa} весов против {b}C² = {pb} (C = {c}), {n2} ReLU против 1</translation>
    </message>
    <message>
        <source>, random weights&lt;br&gt;</source>
        <translation>, случайные веса&lt;br&gt;</translation>
    </message>
    <message>
        <source>std {sy} x {sx} px, 95 % in {px} px</source>
        <translation>СКО {sy} x {sx} пикс., 95 % в {px} пикс.</translation>
    </message>
    <message>
        <source>Effective field of {block} at ({y}, {x}) over </source>
        <translation>Эффективное поле {block} в ({y}, {x}) по </translation>
    </message>
    <message>
        <source>this image</source>
        <translation>этому изображению</translation>
    </message>
    <message>
        <source>: the gradient of that value on the input, summed over channels and images, each map scaled to sum 1 and drawn on one colour scale; std in rows x columns, and the pixels that hold 95 % of it (their share of the theoretical field, the {rf} px square, dashed past the image).</source>
        <translation>: градиент этого значения по входу, просуммированный по каналам и изображениям, каждая карта нормирована на сумму 1 и показана в одной цветовой шкале; СКО по строкам x столбцам и пиксели, в которых 95 % градиента (их доля от теоретического поля — квадрата {rf} пикс., пунктир за краем изображения).</translation>
    </message>
    <message>
        <source> Random weights: seed {seed}, a fresh build, the network&apos;s own initialisation;</source>
        <translation> Случайные веса: зерно {seed}, заново построенная сеть, её собственная инициализация;</translation>
    </message>
    <message>
        <source> BatchNorm in eval mode (running mean 0, variance 1).</source>
        <translation> BatchNorm в режиме eval (скользящее среднее 0, дисперсия 1).</translation>
    </message>
    <message>
        <source> Random weights: {w}, {init}; BatchNorm in eval mode (running mean 0, variance 1).</source>
        <translation> Случайные веса: {w}, {init}; BatchNorm в режиме eval (скользящее среднее 0, дисперсия 1).</translation>
    </message>
    <message>
        <source>up to {n} paths per length, seed {seed}</source>
        <translation>до {n} путей на длину, зерно {seed}</translation>
    </message>
</context>
<context>
    <name>CurvesDialog</name>
    <message>
        <source>train error</source>
        <translation>ошибка обучения</translation>
    </message>
    <message>
        <source>test error</source>
        <translation>ошибка на тесте</translation>
    </message>
    <message>
        <source>Training curves: plain vs residual (digits)</source>
        <translation>Кривые обучения: обычная и остаточная сеть (цифры)</translation>
    </message>
    <message>
        <source>The built-in networks as &apos;cnn-explorer train&apos; trained them on scikit-learn&apos;s digits (same seed and schedule for all four). As in He et al. 2015, the deeper plain network trains worse (a higher training error), the deeper residual one does not.</source>
        <translation>Встроенные сети в том виде, как их обучила &apos;cnn-explorer train&apos; на цифрах scikit-learn (одно зерно и расписание для всех четырёх). Как у He et al. 2015, более глубокая обычная сеть обучается хуже (ошибка обучения выше), а более глубокая остаточная — нет.</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>эпоха</translation>
    </message>
</context>
<context>
    <name>DensityTab</name>
    <message>
        <source>Measure some networks in the Speed tab to see their compute density.</source>
        <translation>Измерьте несколько сетей на вкладке «Скорость», чтобы увидеть их плотность вычислений.</translation>
    </message>
    <message>
        <source>No layer kinds were timed: tick &lt;b&gt;layer kinds&lt;/b&gt; in the Speed tab and measure again to see where each network spends its time.</source>
        <translation>Виды слоёв не замерялись: отметьте &lt;b&gt;виды слоёв&lt;/b&gt; на вкладке «Скорость» и измерьте снова, чтобы увидеть, на что каждая сеть тратит время.</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>Экспорт CSV...</translation>
    </message>
    <message>
        <source>Export PNG...</source>
        <translation>Экспорт PNG...</translation>
    </message>
    <message>
        <source>achieved GFLOP/s (click a bar to open the network)</source>
        <translation>достигнутые GFLOP/s (щёлкните столбец, чтобы открыть сеть)</translation>
    </message>
    <message>
        <source>achieved GFLOP/s by layer kind (time share in brackets)</source>
        <translation>достигнутые GFLOP/s по видам слоёв (доля времени в скобках)</translation>
    </message>
    <message>
        <source>The network whose layer kinds are shown</source>
        <translation>Сеть, чьи виды слоёв показаны</translation>
    </message>
    <message>
        <source>Layer kinds of</source>
        <translation>Виды слоёв сети</translation>
    </message>
    <message>
        <source>({how}: the figures measured before)</source>
        <translation>({how}: цифры, измеренные до этого)</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>отменено</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>ошибка</translation>
    </message>
    <message>
        <source>(measuring: the figures so far)</source>
        <translation>(идёт измерение: текущие цифры)</translation>
    </message>
    <message>
        <source>not measured: {names}</source>
        <translation>не измерены: {names}</translation>
    </message>
    <message>
        <source>Achieved GFLOP/s = 2 x MACs x images/s on &lt;b&gt;{device}&lt;/b&gt;; peak measured in the same run.</source>
        <translation>Достигнутые GFLOP/s = 2 x MAC x изображений/с на &lt;b&gt;{device}&lt;/b&gt;; пик измерен в том же прогоне.</translation>
    </message>
    <message>
        <source>, {share} of peak</source>
        <translation>, {share} от пика</translation>
    </message>
    <message>
        <source> ({n} images/s)</source>
        <translation> ({n} изображений/с)</translation>
    </message>
    <message>
        <source>{n} layer</source>
        <translation>{n} слой</translation>
    </message>
    <message>
        <source>{n} layers</source>
        <translation>слоёв: {n}</translation>
    </message>
    <message>
        <source>no MACs, {layers}</source>
        <translation>нет MAC, {layers}</translation>
    </message>
    <message>
        <source>, {share} of MACs</source>
        <translation>, {share} от MAC</translation>
    </message>
    <message>
        <source>{gflops} GFLOP/s in all; each layer timed alone (synchronised hooks), the rest in &lt;i&gt;other operations&lt;/i&gt;</source>
        <translation>всего {gflops} GFLOP/s; каждый слой замерен отдельно (синхронизированные хуки), остальное — в &lt;i&gt;прочих операциях&lt;/i&gt;</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Экспорт CSV</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Экспорт не удался</translation>
    </message>
    <message>
        <source>Could not write {path}:
{error}</source>
        <translation>Не удалось записать {path}:
{error}</translation>
    </message>
    <message>
        <source>Export PNG</source>
        <translation>Экспорт PNG</translation>
    </message>
    <message>
        <source>Could not write {path}</source>
        <translation>Не удалось записать {path}</translation>
    </message>
</context>
<context>
    <name>DrawCanvas</name>
    <message>
        <source>Draw a digit with the mouse, a pen or a finger; fill the square</source>
        <extracomment>the pad&apos;s own pixels (the drawing&apos;s resolution, whatever the widget&apos;s size) the pen: about a ninth of the pad, so that a digit drawn to fill it has strokes about as thick, for its size, as the data set&apos;s</extracomment>
        <translation>Нарисуйте цифру мышью, пером или пальцем; заполните квадрат</translation>
    </message>
    <message>
        <source>draw a digit here</source>
        <translation>нарисуйте цифру здесь</translation>
    </message>
</context>
<context>
    <name>DrawPad</name>
    <message>
        <source>Clear</source>
        <translation>Очистить</translation>
    </message>
    <message>
        <source>Wipe the pad</source>
        <translation>Стереть рисунок</translation>
    </message>
    <message>
        <source>What the network gets: the drawing cut to its box, scaled to 32x32, counted in 4x4 blocks (8x8, 0-16) as scikit-learn&apos;s digits were made</source>
        <translation>Что получает сеть: рисунок, обрезанный по рамке, масштабированный до 32x32 и подсчитанный блоками 4x4 (8x8, 0-16), как были сделаны цифры scikit-learn</translation>
    </message>
    <message>
        <source>White on black, as the digits the network was trained on.</source>
        <translation>Белым по чёрному, как цифры, на которых обучалась сеть.</translation>
    </message>
    <message>
        <source>network sees</source>
        <translation>сеть видит</translation>
    </message>
</context>
<context>
    <name>EvalControl</name>
    <message>
        <source>Each block alone</source>
        <translation>Каждый блок по одному</translation>
    </message>
    <message>
        <source>k random blocks</source>
        <translation>k случайных блоков</translation>
    </message>
    <message>
        <source>Reorder blocks</source>
        <translation>Перестановка блоков</translation>
    </message>
    <message>
        <source>{sweep}: {step}</source>
        <translation>{sweep}: {step}</translation>
    </message>
</context>
<context>
    <name>Executor</name>
    <message>
        <source>This process</source>
        <translation>Этот процесс</translation>
    </message>
    <message>
        <source>Local Ray instance (a worker per core)</source>
        <translation>Локальный экземпляр Ray (по исполнителю на ядро)</translation>
    </message>
    <message>
        <source>Ray cluster...</source>
        <translation>Кластер Ray...</translation>
    </message>
    <message>
        <source>A cluster started with &apos;ray start --head&apos;: ray://HOST:10001</source>
        <translation>Кластер, запущенный командой &apos;ray start --head&apos;: ray://HOST:10001</translation>
    </message>
    <message>
        <source>Ray cluster: {address}</source>
        <translation>Кластер Ray: {address}</translation>
    </message>
    <message>
        <source>Ray cluster</source>
        <translation>Кластер Ray</translation>
    </message>
    <message>
        <source>The cluster&apos;s address (ray://HOST:10001, HOST:6379):</source>
        <translation>Адрес кластера (ray://HOST:10001, HOST:6379):</translation>
    </message>
    <message>
        <source>this process</source>
        <translation>этом процессе</translation>
    </message>
    <message>
        <source>a local Ray instance</source>
        <translation>локальном экземпляре Ray</translation>
    </message>
    <message>
        <source>Landscapes and sweeps now evaluate on {where}</source>
        <translation>Ландшафты и серии удалений теперь вычисляются на {where}</translation>
    </message>
    <message>
        <source>Evaluate landscapes and sweeps on</source>
        <translation>Вычислять ландшафты и серии удалений на</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <source>Kinds</source>
        <translation>Виды</translation>
    </message>
    <message>
        <source>{kind} edge</source>
        <translation>связь: {kind}</translation>
    </message>
    <message>
        <source>stage (size, channels)</source>
        <translation>стадия (размер, каналы)</translation>
    </message>
</context>
<context>
    <name>FeatureMapsPanel</name>
    <message>
        <source>page {page}/{pages}</source>
        <extracomment>a value of a map clicked: (block, row, column) in the block&apos;s output</extracomment>
        <translation>стр. {page}/{pages}</translation>
    </message>
    <message>
        <source>overlay on input</source>
        <translation>поверх входа</translation>
    </message>
    <message>
        <source>image A</source>
        <translation>изображение A</translation>
    </message>
    <message>
        <source>colormap</source>
        <translation>палитра</translation>
    </message>
    <message>
        <source>image B</source>
        <translation>изображение B</translation>
    </message>
    <message>
        <source>Select a block in the graph to see its feature maps.</source>
        <translation>Выберите блок в графе, чтобы увидеть его карты признаков.</translation>
    </message>
    <message>
        <source>{block}: its output is not a module&apos;s output; no feature maps</source>
        <translation>{block}: его выход — не выход модуля; карт признаков нет</translation>
    </message>
    <message>
        <source>{shape}; {c} channels ordered by mean activation, {per_page} a page. Click a tile to enlarge it.</source>
        <translation>{shape}; каналов: {c}, по убыванию средней активации, по {per_page} на странице. Щёлкните плитку, чтобы увеличить её.</translation>
    </message>
    <message>
        <source>mean {mean}, std {std}</source>
        <translation>среднее {mean}, СКО {std}</translation>
    </message>
    <message>
        <source>channel {c}: {stats}</source>
        <translation>канал {c}: {stats}</translation>
    </message>
    <message>
        <source>enlarged: channel {c} ({stats})</source>
        <translation>увеличен: канал {c} ({stats})</translation>
    </message>
    <message>
        <source>enlarged: channel {c}; value ({row}, {col}): its field in the Receptive field tab</source>
        <translation>увеличен: канал {c}; значение ({row}, {col}): его поле — на вкладке «Рецептивное поле»</translation>
    </message>
</context>
<context>
    <name>FieldPanel</name>
    <message>
        <source>depth</source>
        <extracomment>a comparison of effective fields is drawn (its result) a comparison failed (its one line)</extracomment>
        <translation>глубина</translation>
    </message>
    <message>
        <source>Walk the field through the network, layer by layer</source>
        <translation>Провести поле через сеть, слой за слоем</translation>
    </message>
    <message>
        <source>Effective field</source>
        <translation>Эффективное поле</translation>
    </message>
    <message>
        <source>The gradient of this output value on the image (Luo et al. 2016): where the field really looks</source>
        <translation>Градиент этого выходного значения по изображению (Luo et al. 2016): куда поле смотрит на самом деле</translation>
    </message>
    <message>
        <source>Effective field compared</source>
        <translation>Сравнение эффективных полей</translation>
    </message>
    <message>
        <source>The same output value in the same network with random weights, and in the network that differs by its skip connections alone</source>
        <translation>То же выходное значение в той же сети со случайными весами и в сети, отличающейся только обходными связями</translation>
    </message>
    <message>
        <source>over</source>
        <translation>по</translation>
    </message>
    <message>
        <source>evaluation images (up to {n})</source>
        <translation>оценочным изображениям (до {n})</translation>
    </message>
    <message>
        <source>this image</source>
        <translation>этому изображению</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Сравнить</translation>
    </message>
    <message>
        <source>Compute the effective fields on a worker, side by side</source>
        <translation>Вычислить эффективные поля в фоне и показать рядом</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>layer {i} of {n}</source>
        <translation>слой {i} из {n}</translation>
    </message>
    <message>
        <source>its output; the slider at its last layer, {layer}, {where}</source>
        <translation>его выход; ползунок на последнем слое, {layer}, {where}</translation>
    </message>
    <message>
        <source>output ({row}, {col}) of {h}x{w} sees {rf} px, stride {stride}</source>
        <translation>выход ({row}, {col}) из {h}x{w} видит {rf} пикс., шаг {stride}</translation>
    </message>
    <message>
        <source> (dashed: past the image, the padding)</source>
        <translation> (пунктир: за краем изображения, дополнение)</translation>
    </message>
    <message>
        <source>. Click the image to move it.</source>
        <translation>. Щёлкните изображение, чтобы переместить его.</translation>
    </message>
    <message>
        <source>Effective field (heat map, this image): std {rows} px (rows), {cols} px (columns); 95 % of it in {px} px, {share} % of the field on the image</source>
        <translation>Эффективное поле (тепловая карта, это изображение): СКО {rows} пикс. (строки), {cols} пикс. (столбцы); 95 % его в {px} пикс., {share} % поля на изображении</translation>
    </message>
    <message>
        <source>the gradient of the value on the image</source>
        <translation>градиент значения по изображению</translation>
    </message>
    <message>
        <source>with random weights and {twin}</source>
        <translation>со случайными весами и {twin}</translation>
    </message>
    <message>
        <source>with random weights</source>
        <translation>со случайными весами</translation>
    </message>
    <message>
        <source>with {twin}</source>
        <translation>с {twin}</translation>
    </message>
    <message>
        <source>comparing {block} with {what}...</source>
        <translation>сравнение {block} с {what}...</translation>
    </message>
    <message>
        <source>comparing effective fields</source>
        <translation>сравнение эффективных полей</translation>
    </message>
    <message>
        <source>comparison cancelled</source>
        <translation>сравнение отменено</translation>
    </message>
    <message>
        <source>share of the map per px</source>
        <translation>доля карты на пиксель</translation>
    </message>
</context>
<context>
    <name>FusionControl</name>
    <message>
        <source>Fuse RepVGG branches</source>
        <translation>Слить ветви RepVGG</translation>
    </message>
    <message>
        <source>Re-parameterise every RepVGG block into one 3x3 conv</source>
        <translation>Перепараметризовать каждый блок RepVGG в одну свёртку 3x3</translation>
    </message>
    <message>
        <source>Fold BatchNorm into convolutions</source>
        <translation>Встроить BatchNorm в свёртки</translation>
    </message>
    <message>
        <source>Fold each BatchNorm that follows a conv into the conv</source>
        <translation>Встроить каждый BatchNorm, идущий после свёртки, в эту свёртку</translation>
    </message>
    <message>
        <source>Unfuse</source>
        <translation>Разъединить</translation>
    </message>
    <message>
        <source>Back to the training-time model</source>
        <translation>Вернуть модель, как при обучении</translation>
    </message>
    <message>
        <source>Fusion results</source>
        <translation>Результаты слияния</translation>
    </message>
    <message>
        <source>Show the panel with the last fusion&apos;s figures</source>
        <translation>Показать панель с цифрами последнего слияния</translation>
    </message>
    <message>
        <source>Animate the fusion in steps</source>
        <translation>Показывать слияние по шагам</translation>
    </message>
    <message>
        <source>Off: the fused graph is shown at once (reduced motion); on: the merge is played in five captioned steps (about 2 s)</source>
        <translation>Выключено: слитый граф показывается сразу (меньше движения); включено: слияние проигрывается пятью подписанными шагами (около 2 с)</translation>
    </message>
    <message>
        <source>Fuse for deployment</source>
        <translation>Слить для развёртывания</translation>
    </message>
    <message>
        <source>Show the fused model now (skip the animation)</source>
        <translation>Показать слитую модель сразу (без анимации)</translation>
    </message>
    <message>
        <source>fused: </source>
        <translation>слито, </translation>
    </message>
    <message>
        <source>already fused</source>
        <translation>уже слито</translation>
    </message>
    <message>
        <source>wait for the model and its weights</source>
        <translation>дождитесь модели и её весов</translation>
    </message>
    <message>
        <source>Cannot fuse now: {why}</source>
        <translation>Слить сейчас нельзя: {why}</translation>
    </message>
    <message>
        <source>fusing</source>
        <translation>слияние</translation>
    </message>
    <message>
        <source>Fusing: {step}...</source>
        <translation>Слияние: {step}...</translation>
    </message>
    <message>
        <source>Fusion failed: {message}</source>
        <translation>Слияние не удалось: {message}</translation>
    </message>
    <message>
        <source>Fusing: merging the branches...</source>
        <translation>Слияние: объединение ветвей...</translation>
    </message>
    <message>
        <source>Unfused: the training-time model is back</source>
        <translation>Разъединено: модель снова как при обучении</translation>
    </message>
    <message>
        <source>Fusion cancelled: the model is as it was</source>
        <translation>Слияние отменено: модель осталась прежней</translation>
    </message>
</context>
<context>
    <name>FusionResults</name>
    <message>
        <source>No fusion yet. &lt;b&gt;Fuse for deployment&lt;/b&gt; (toolbar, or Model menu) merges a RepVGG block&apos;s three branches into one 3x3 conv, or folds each BatchNorm into its conv; the check, the speed and the counts appear here.</source>
        <translation>Слияния ещё не было. &lt;b&gt;Слить для развёртывания&lt;/b&gt; (панель инструментов или меню «Модель») объединяет три ветви блока RepVGG в одну свёртку 3x3 или встраивает каждый BatchNorm в его свёртку; проверка, скорость и подсчёты появятся здесь.</translation>
    </message>
    <message>
        <source>parameters</source>
        <extracomment>the core&apos;s words in the results (FuseOutcome&apos;s rows, kinds, summary and notes)</extracomment>
        <translation>параметры</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>graph nodes</source>
        <translation>узлы графа</translation>
    </message>
    <message>
        <source>convolutions</source>
        <translation>свёртки</translation>
    </message>
    <message>
        <source>BatchNorms</source>
        <translation>слои BatchNorm</translation>
    </message>
    <message>
        <source>blocks fused</source>
        <translation>слито блоков</translation>
    </message>
    <message>
        <source>BatchNorms folded</source>
        <translation>встроено BatchNorm</translation>
    </message>
    <message>
        <source>max |difference|</source>
        <translation>макс. |разница|</translation>
    </message>
    <message>
        <source>max relative difference</source>
        <translation>макс. относительная разница</translation>
    </message>
    <message>
        <source>on seeded noise</source>
        <translation>на шуме с фиксированным зерном</translation>
    </message>
    <message>
        <source>of the output scale</source>
        <translation>от масштаба выхода</translation>
    </message>
    <message>
        <source>RepVGG re-parameterisation</source>
        <translation>перепараметризация RepVGG</translation>
    </message>
    <message>
        <source>conv-BN folding</source>
        <translation>встраивание BN в свёртку</translation>
    </message>
    <message>
        <source>untrained weights: the check and the timing ran on a copy whose BatchNorm statistics were calibrated on noise (as &apos;cnn-explorer fuse&apos; does), so that the check means something; the model shown keeps its own weights</source>
        <translation>необученные веса: проверка и замер времени прошли на копии, статистики BatchNorm которой откалиброваны на шуме (как делает &apos;cnn-explorer fuse&apos;), чтобы проверка что-то значила; показанная модель сохраняет свои веса</translation>
    </message>
    <message>
        <source>latency ({device}, batch {n}, median of {r})</source>
        <translation>задержка ({device}, пакет {n}, медиана из {r})</translation>
    </message>
    <message>
        <source>{n} blocks re-parameterised</source>
        <translation>блоков: {n}</translation>
    </message>
    <message>
        <source>{n} BatchNorms folded</source>
        <translation>встроено BN: {n}</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>Слияние</translation>
    </message>
    <message>
        <source>(unfused again)</source>
        <translation>(снова разъединено)</translation>
    </message>
</context>
<context>
    <name>FusionSteps</name>
    <message>
        <source> (weights of output channel {out}, input {inp})</source>
        <extracomment>the texts of the fusion&apos;s steps (explorer.present.fusion_steps), for the catalogue</extracomment>
        <translation> (веса выходного канала {out}, входного {inp})</translation>
    </message>
    <message>
        <source>Fold each branch&apos;s BatchNorm into its conv: W&apos; = s·W, b&apos; = β − s·μ with s = γ/σ</source>
        <translation>Встроить BatchNorm каждой ветви в её свёртку: W&apos; = s·W, b&apos; = β − s·μ, где s = γ/σ</translation>
    </message>
    <message>
        <source>Pad the 1x1 kernel with zeros into the centre of a {kk}</source>
        <translation>Дополнить ядро 1x1 нулями до центра ядра {kk}</translation>
    </message>
    <message>
        <source>Write the identity branch as a {kk} delta kernel (its BN scale folded in)</source>
        <translation>Записать тождественную ветвь как дельта-ядро {kk} (с встроенным масштабом BN)</translation>
    </message>
    <message>
        <source>Sum the three {kk} kernels and their biases</source>
        <translation>Сложить три ядра {kk} и их смещения</translation>
    </message>
    <message>
        <source>One block: {label} (with bias)</source>
        <translation>Один блок: {label} (со смещением)</translation>
    </message>
    <message>
        <source>No identity branch in this block (its stride or width changes): nothing to add</source>
        <translation>В этом блоке нет тождественной ветви (меняется шаг или ширина): добавлять нечего</translation>
    </message>
    <message>
        <source>identity · s</source>
        <translation>тождеств. · s</translation>
    </message>
    <message>
        <source>zeros around</source>
        <translation>нули вокруг</translation>
    </message>
    <message>
        <source>delta</source>
        <translation>дельта</translation>
    </message>
    <message>
        <source>zero: another channel</source>
        <translation>ноль: другой канал</translation>
    </message>
    <message>
        <source>identity → {kk}</source>
        <translation>тождеств. → {kk}</translation>
    </message>
    <message>
        <source>still 1x1</source>
        <translation>ещё 1x1</translation>
    </message>
    <message>
        <source>identity</source>
        <translation>тождеств.</translation>
    </message>
    <message>
        <source>fused</source>
        <translation>слитое</translation>
    </message>
    <message>
        <source>bias {b}</source>
        <translation>смещение {b}</translation>
    </message>
</context>
<context>
    <name>Graph</name>
    <message>
        <source>model</source>
        <extracomment>the smallest font of a translated label (the core sizes boxes by its English words)</extracomment>
        <translation>модель</translation>
    </message>
    <message>
        <source>kind: {kind}</source>
        <translation>вид: {kind}</translation>
    </message>
    <message>
        <source>folded: {marks}</source>
        <translation>встроено: {marks}</translation>
    </message>
    <message>
        <source>{n} identical blocks (double-click to show them)</source>
        <translation>одинаковых блоков: {n} (двойной щелчок покажет их)</translation>
    </message>
    <message>
        <source>out: {shape}</source>
        <translation>выход: {shape}</translation>
    </message>
    <message>
        <source>params: {n}</source>
        <translation>параметры: {n}</translation>
    </message>
    <message>
        <source>MACs: {n}</source>
        <translation>MAC: {n}</translation>
    </message>
    <message>
        <source>(log scale)</source>
        <translation>(лог. шкала)</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>удалён</translation>
    </message>
</context>
<context>
    <name>GraphControl</name>
    <message>
        <source>Collapse</source>
        <translation>Свернуть</translation>
    </message>
    <message>
        <source>Expand</source>
        <translation>Раскрыть</translation>
    </message>
    <message>
        <source>Restore block</source>
        <translation>Вернуть блок</translation>
    </message>
    <message>
        <source>Delete block</source>
        <translation>Удалить блок</translation>
    </message>
    <message>
        <source>Delete block (not possible: {why})</source>
        <translation>Удалить блок (нельзя: {why})</translation>
    </message>
    <message>
        <source>Show feature maps</source>
        <translation>Показать карты признаков</translation>
    </message>
    <message>
        <source>Copy qualname</source>
        <translation>Копировать полное имя</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Вписать</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>нет модели</translation>
    </message>
    <message>
        <source>{model} is still loading</source>
        <translation>{model} ещё загружается</translation>
    </message>
    <message>
        <source>Select a block to delete it</source>
        <translation>Выберите блок, чтобы удалить его</translation>
    </message>
    <message>
        <source>Cannot delete: {why}</source>
        <translation>Удалить нельзя: {why}</translation>
    </message>
    <message>
        <source>No block matches &apos;{text}&apos;</source>
        <translation>Нет блока, подходящего под &apos;{text}&apos;</translation>
    </message>
    <message>
        <source>&apos;{text}&apos;: match {i} of {n}</source>
        <translation>&apos;{text}&apos;: совпадение {i} из {n}</translation>
    </message>
    <message>
        <source>Nothing to export yet</source>
        <translation>Пока нечего экспортировать</translation>
    </message>
    <message>
        <source>Export graph</source>
        <translation>Экспорт графа</translation>
    </message>
    <message>
        <source>Size in pixels (WxH):</source>
        <translation>Размер в пикселях (ШxВ):</translation>
    </message>
    <message>
        <source>Not a size: &apos;{text}&apos; (expected WxH such as 1920x1080)</source>
        <translation>Не размер: &apos;{text}&apos; (нужно ШxВ, например 1920x1080)</translation>
    </message>
    <message>
        <source>The size must be between 160x90 and 8192x8192, not {w}x{h}</source>
        <translation>Размер должен быть от 160x90 до 8192x8192, а не {w}x{h}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Экспорт не удался</translation>
    </message>
    <message>
        <source>Could not write {path}:
{error}</source>
        <translation>Не удалось записать {path}:
{error}</translation>
    </message>
    <message>
        <source>Saved {path} ({w}x{h})</source>
        <translation>Сохранено: {path} ({w}x{h})</translation>
    </message>
</context>
<context>
    <name>GraphLabels</name>
    <message>
        <source>global avg pool</source>
        <extracomment>the words of the slide labels, longest first (a phrase before the words inside it)</extracomment>
        <translation>глоб. ср. пулинг</translation>
    </message>
    <message>
        <source>global max pool</source>
        <translation>глоб. макс-пулинг</translation>
    </message>
    <message>
        <source>global pool</source>
        <translation>глоб. пулинг</translation>
    </message>
    <message>
        <source>adaptive avg pool</source>
        <translation>адапт. ср. пулинг</translation>
    </message>
    <message>
        <source>adaptive max pool</source>
        <translation>адапт. макс-пулинг</translation>
    </message>
    <message>
        <source>adaptive pool</source>
        <translation>адапт. пулинг</translation>
    </message>
    <message>
        <source>depthwise conv</source>
        <translation>поканальная свёртка</translation>
    </message>
    <message>
        <source>transposed conv</source>
        <translation>транспон. свёртка</translation>
    </message>
    <message>
        <source>separable conv</source>
        <translation>разделимая свёртка</translation>
    </message>
    <message>
        <source>max pool</source>
        <translation>макс-пулинг</translation>
    </message>
    <message>
        <source>avg pool</source>
        <translation>ср. пулинг</translation>
    </message>
    <message>
        <source>drop path</source>
        <translation>дроп пути</translation>
    </message>
    <message>
        <source>zero pad</source>
        <translation>доп. нулями</translation>
    </message>
    <message>
        <source>conv</source>
        <translation>свёртка</translation>
    </message>
    <message>
        <source>pool</source>
        <translation>пулинг</translation>
    </message>
    <message>
        <source>FC</source>
        <translation>полносв.</translation>
    </message>
    <message>
        <source>concat</source>
        <translation>конкат.</translation>
    </message>
    <message>
        <source>input</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>output</source>
        <translation>выход</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>дропаут</translation>
    </message>
    <message>
        <source>drop</source>
        <translation>дроп</translation>
    </message>
    <message>
        <source>flatten</source>
        <translation>в вектор</translation>
    </message>
    <message>
        <source>reshape</source>
        <translation>изм. формы</translation>
    </message>
    <message>
        <source>slice</source>
        <translation>срез</translation>
    </message>
    <message>
        <source>split</source>
        <translation>разбиение</translation>
    </message>
    <message>
        <source>transpose</source>
        <translation>транспонирование</translation>
    </message>
    <message>
        <source>permute</source>
        <translation>перестановка</translation>
    </message>
    <message>
        <source>resize</source>
        <translation>изм. размера</translation>
    </message>
    <message>
        <source>upsample</source>
        <translation>увеличение</translation>
    </message>
    <message>
        <source>model</source>
        <translation>модель</translation>
    </message>
    <message>
        <source>residual</source>
        <translation>остаточный</translation>
    </message>
    <message>
        <source>dense</source>
        <translation>плотный</translation>
    </message>
    <message>
        <source>proj</source>
        <translation>проекц.</translation>
    </message>
    <message>
        <source>pad</source>
        <translation>дополнение</translation>
    </message>
    <message>
        <source>sep</source>
        <translation>разд.</translation>
    </message>
    <message>
        <source>sigmoid</source>
        <translation>сигмоида</translation>
    </message>
    <message>
        <source>vector</source>
        <translation>вектор</translation>
    </message>
    <message>
        <source>params</source>
        <translation>парам.</translation>
    </message>
    <message>
        <source>ch</source>
        <translation>кан.</translation>
    </message>
    <message>
        <source>act</source>
        <translation>акт.</translation>
    </message>
    <message>
        <source>norm</source>
        <translation>норм.</translation>
    </message>
    <message>
        <source>residual block</source>
        <extracomment>&quot;3 residual blocks&quot; (a stage&apos;s summary): a block of a kind, counted</extracomment>
        <translation>остаточный блок</translation>
    </message>
    <message>
        <source>inception block</source>
        <translation>блок Inception</translation>
    </message>
    <message>
        <source>dense block</source>
        <translation>плотный блок</translation>
    </message>
    <message>
        <source>se block</source>
        <translation>SE-блок</translation>
    </message>
    <message>
        <source>repvgg block</source>
        <translation>блок RepVGG</translation>
    </message>
    <message>
        <source>highway block</source>
        <translation>highway-блок</translation>
    </message>
    <message>
        <source>separable block</source>
        <translation>разделимый блок</translation>
    </message>
    <message>
        <source>{block} ×{n}</source>
        <translation>{block} ×{n}</translation>
    </message>
    <message>
        <source>{n} convs</source>
        <translation>свёрток: {n}</translation>
    </message>
    <message>
        <source>{n} layers</source>
        <translation>слоёв: {n}</translation>
    </message>
</context>
<context>
    <name>HighwayPanel</name>
    <message>
        <source>image B: the toolbar&apos;s &apos;compare&apos; box</source>
        <translation>изображение B: поле «сравнить» на панели инструментов</translation>
    </message>
    <message>
        <source>Choose image B there to set two images&apos; gates side by side</source>
        <translation>Выберите там изображение B, чтобы сравнить вентили двух изображений</translation>
    </message>
    <message>
        <source>mean gate T</source>
        <translation>средний вентиль T</translation>
    </message>
    <message>
        <source>highway block, in order of depth (click a bar to select it)</source>
        <translation>highway-блок, по глубине (щёлкните столбец, чтобы выбрать его)</translation>
    </message>
    <message>
        <source>This model has no highway blocks.</source>
        <translation>В этой модели нет highway-блоков.</translation>
    </message>
    <message>
        <source>{n} highway blocks: y = T·H(x) + (1−T)·x. T near 1: the block transforms its input; near 0: it carries it on unchanged.</source>
        <translation>Highway-блоков: {n}; y = T·H(x) + (1−T)·x. T около 1: блок преобразует вход; около 0: передаёт его без изменений.</translation>
    </message>
    <message>
        <source>image {i}</source>
        <translation>изображение {i}</translation>
    </message>
    <message>
        <source>T of {name}</source>
        <translation>T для {name}</translation>
    </message>
    <message>
        <source>dashed: T = 0.5, as much carried as transformed</source>
        <translation>пунктир: T = 0,5, передаётся столько же, сколько преобразуется</translation>
    </message>
</context>
<context>
    <name>HintBar</name>
    <message>
        <source>Try: click a block to see its figures · Delete removes it (Ctrl+Z brings it back) · Ctrl+K compares the architectures · F5 presentation mode</source>
        <extracomment>the one line of what to try</extracomment>
        <translation>Щёлкните блок — его цифры · Delete удалит (Ctrl+Z вернёт) · Ctrl+K: сравнение архитектур · F5: презентация</translation>
    </message>
    <message>
        <source>Hide this hint</source>
        <extracomment>the panels a run fills (the first launch waits for these)</extracomment>
        <translation>Скрыть подсказку</translation>
    </message>
</context>
<context>
    <name>ImageOpener</name>
    <message>
        <source>{n} problems</source>
        <translation>проблем: {n}</translation>
    </message>
    <message>
        <source>Could not open</source>
        <translation>Не удалось открыть</translation>
    </message>
    <message>
        <source>Open images</source>
        <translation>Открыть изображения</translation>
    </message>
    <message>
        <source>Images ({pattern});;All files (*)</source>
        <translation>Изображения ({pattern});;Все файлы (*)</translation>
    </message>
    <message>
        <source>Open a folder of images</source>
        <translation>Открыть папку с изображениями</translation>
    </message>
    <message>
        <source>pasted image</source>
        <translation>вставленное изображение</translation>
    </message>
    <message>
        <source>pasted image {n}</source>
        <translation>вставленное изображение {n}</translation>
    </message>
    <message>
        <source>Could not paste</source>
        <translation>Не удалось вставить</translation>
    </message>
    <message>
        <source>The clipboard holds no image</source>
        <translation>В буфере обмена нет изображения</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <source>{rf} px, stride {stride}</source>
        <translation>{rf} пикс., шаг {stride}</translation>
    </message>
    <message>
        <source>not part of the inference graph</source>
        <translation>не входит в граф вывода</translation>
    </message>
    <message>
        <source>identity</source>
        <extracomment>a residual block&apos;s shortcut (the core&apos;s words)</extracomment>
        <translation>тождественная</translation>
    </message>
    <message>
        <source>projection</source>
        <translation>проекция</translation>
    </message>
    <message>
        <source>parameter-free</source>
        <translation>без параметров</translation>
    </message>
    <message>
        <source>all kinds</source>
        <extracomment>the words of the operation counts&apos; rows (explorer.graph.conventions)</extracomment>
        <translation>все виды</translation>
    </message>
    <message>
        <source>MACs (weights)</source>
        <translation>MAC (веса)</translation>
    </message>
    <message>
        <source>biases</source>
        <translation>смещения</translation>
    </message>
    <message>
        <source>norms</source>
        <translation>нормализации</translation>
    </message>
    <message>
        <source>activations</source>
        <translation>активации</translation>
    </message>
    <message>
        <source>pooling</source>
        <translation>пулинг</translation>
    </message>
    <message>
        <source>additions</source>
        <translation>сложения</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>веса</translation>
    </message>
    <message>
        <source>(not run)</source>
        <translation>(не выполнялся)</translation>
    </message>
    <message>
        <source>layer</source>
        <extracomment>the rows&apos; names, for the catalogue (the rows stay keyed by them in English)</extracomment>
        <translation>слой</translation>
    </message>
    <message>
        <source>qualname</source>
        <translation>полное имя</translation>
    </message>
    <message>
        <source>type</source>
        <translation>тип</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>вид</translation>
    </message>
    <message>
        <source>shortcut</source>
        <translation>обходная связь</translation>
    </message>
    <message>
        <source>branches</source>
        <translation>ветви</translation>
    </message>
    <message>
        <source>contains</source>
        <translation>содержит</translation>
    </message>
    <message>
        <source>input</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>output</source>
        <translation>выход</translation>
    </message>
    <message>
        <source>params</source>
        <translation>параметры</translation>
    </message>
    <message>
        <source>params (own)</source>
        <translation>параметры (свои)</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>receptive field</source>
        <translation>рецептивное поле</translation>
    </message>
    <message>
        <source>note</source>
        <translation>примечание</translation>
    </message>
    <message>
        <source>operations</source>
        <translation>операции</translation>
    </message>
    <message>
        <source>No block selected</source>
        <translation>Блок не выбран</translation>
    </message>
    <message>
        <source>Params: unique parameters, the block&apos;s own and its children&apos;s; % of the model. MACs: multiply-accumulates of weights per image; &apos;operations&apos; adds norms, activations, pooling and additions one by one (summary --conventions names each counter&apos;s). Receptive field: input pixels one output value sees (first spatial axis).</source>
        <translation>Параметры: уникальные параметры блока и его потомков; % от модели. MAC: умножения-накопления с весами на изображение; «операции» добавляют нормализации, активации, пулинг и сложения по одному (summary --conventions называет правило каждого счётчика). Рецептивное поле: сколько пикселей входа видит одно выходное значение (по первой пространственной оси).</translation>
    </message>
    <message>
        <source>deleted (Delete key)</source>
        <translation>удалён (клавиша Delete)</translation>
    </message>
    <message>
        <source>Delete this block from the network: a residual branch is removed and its shortcut kept; an inception or RepVGG branch is removed; an SE gate is fixed to 1; a highway layer only carries; other layers become the identity where shapes allow.</source>
        <translation>Удалить этот блок из сети: остаточная ветвь убирается, обходная связь остаётся; ветвь inception или RepVGG убирается; вентиль SE фиксируется в 1; highway-слой только переносит; прочие слои становятся тождественными, где позволяют формы.</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>Нет модели</translation>
    </message>
    <message>
        <source>{model} (whole model)</source>
        <translation>{model} (вся модель)</translation>
    </message>
    <message>
        <source>click: MACs with norms, activations, pooling and additions</source>
        <translation>щелчок: MAC с нормализациями, активациями, пулингом и сложениями</translation>
    </message>
</context>
<context>
    <name>KernelCard</name>
    <message>
        <source>Fusing a RepVGG block: step {n} of {total}</source>
        <translation>Слияние блока RepVGG: шаг {n} из {total}</translation>
    </message>
    <message>
        <source>values</source>
        <translation>значения</translation>
    </message>
</context>
<context>
    <name>KernelsTab</name>
    <message>
        <source>RepVGG&apos;s Table 1: one k x k convolution (C channels in and out, stride 1, same padding) per kernel size, timed in rounds with a large matrix product (the peak). Its operations grow with k²; on RepVGG&apos;s GPU the 3x3 convolution reached by far the highest TFLOP/s (Winograd). What does this device do?</source>
        <translation>Таблица 1 RepVGG: одна свёртка k x k (C каналов на входе и выходе, шаг 1, дополнение same) на каждый размер ядра, замеры раундами вместе с большим матричным произведением (пик). Число операций растёт как k²; на GPU из RepVGG свёртка 3x3 достигала намного больших TFLOP/s (Winograd). А что на этом устройстве?</translation>
    </message>
    <message>
        <source>Where to run: auto picks a GPU when there is one</source>
        <extracomment>what else is timing now (the view sets it), e.g. &quot;the speed measurement&quot;</extracomment>
        <translation>Где выполнять: «auto» выбирает GPU, если он есть</translation>
    </message>
    <message>
        <source>bf16 and fp16 (autocast) run on a GPU only</source>
        <translation>bf16 и fp16 (autocast) работают только на GPU</translation>
    </message>
    <message>
        <source>Odd kernel sizes, separated by commas</source>
        <translation>Нечётные размеры ядер через запятую</translation>
    </message>
    <message>
        <source>Timed runs of each kernel size (the median is shown)</source>
        <translation>Замеров на каждый размер ядра (показана медиана)</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Запуск</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>Устройство</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Точность</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>Пакет</translation>
    </message>
    <message>
        <source>Channels</source>
        <translation>Каналы</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Размер</translation>
    </message>
    <message>
        <source>Kernels</source>
        <translation>Ядра</translation>
    </message>
    <message>
        <source>Repeats</source>
        <translation>Повторы</translation>
    </message>
    <message>
        <source>Press Run to time the convolutions on this device.</source>
        <translation>Нажмите «Запуск», чтобы замерить свёртки на этом устройстве.</translation>
    </message>
    <message>
        <source>Copy table</source>
        <translation>Копировать таблицу</translation>
    </message>
    <message>
        <source>Tab-separated, for a spreadsheet</source>
        <translation>С табуляциями, для электронной таблицы</translation>
    </message>
    <message>
        <source>achieved TFLOP/s</source>
        <translation>достигнутые TFLOP/s</translation>
    </message>
    <message>
        <source>kernel size</source>
        <translation>размер ядра</translation>
    </message>
    <message>
        <source>Images per pass</source>
        <translation>Изображений за проход</translation>
    </message>
    <message>
        <source>Channels in and out</source>
        <translation>Каналов на входе и выходе</translation>
    </message>
    <message>
        <source>Height = width of the input</source>
        <translation>Высота = ширина входа</translation>
    </message>
    <message>
        <source>{what}; default on {device}: {value}</source>
        <translation>{what}; по умолчанию на {device}: {value}</translation>
    </message>
    <message>
        <source>Wait for {other} to end: two timings at once disturb each other.</source>
        <translation>Дождитесь окончания {other}: два замера одновременно мешают друг другу.</translation>
    </message>
    <message>
        <source>starting on {device}...</source>
        <translation>запуск на {device}...</translation>
    </message>
    <message>
        <source>kernel sizes</source>
        <translation>размеры ядер</translation>
    </message>
    <message>
        <source>cancelling...</source>
        <translation>отмена...</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>отменено</translation>
    </message>
    <message>
        <source>done in {seconds} s on {device}: batch {batch}, {channels} channels in and out, {size}x{size}, median of {repeats} runs (spread = (max - min) / median)</source>
        <translation>готово за {seconds} с на {device}: пакет {batch}, {channels} каналов на входе и выходе, {size}x{size}, медиана из {repeats} замеров (разброс = (макс - мин) / медиана)</translation>
    </message>
    <message>
        <source>; failed: {failed}</source>
        <translation>; ошибка: {failed}</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>ошибка</translation>
    </message>
    <message>
        <source>default</source>
        <translation>по умолч.</translation>
    </message>
    <message>
        <source>dashed: {peak}</source>
        <translation>пунктир: {peak}</translation>
    </message>
    <message>
        <source>{value} ({share} of peak)</source>
        <translation>{value} ({share} от пика)</translation>
    </message>
</context>
<context>
    <name>Kinds</name>
    <message>
        <source>residual</source>
        <translation>остаточный</translation>
    </message>
    <message>
        <source>inception</source>
        <translation>inception</translation>
    </message>
    <message>
        <source>dense</source>
        <translation>плотный</translation>
    </message>
    <message>
        <source>se</source>
        <translation>SE</translation>
    </message>
    <message>
        <source>repvgg</source>
        <translation>RepVGG</translation>
    </message>
    <message>
        <source>highway</source>
        <translation>highway</translation>
    </message>
    <message>
        <source>separable</source>
        <translation>разделимый</translation>
    </message>
    <message>
        <source>sequential</source>
        <translation>последовательный</translation>
    </message>
    <message>
        <source>conv</source>
        <translation>свёртка</translation>
    </message>
    <message>
        <source>linear</source>
        <translation>полносвязный</translation>
    </message>
    <message>
        <source>norm</source>
        <translation>нормализация</translation>
    </message>
    <message>
        <source>act</source>
        <translation>активация</translation>
    </message>
    <message>
        <source>pool</source>
        <translation>пулинг</translation>
    </message>
    <message>
        <source>dropout</source>
        <translation>дропаут</translation>
    </message>
    <message>
        <source>other</source>
        <translation>прочее</translation>
    </message>
    <message>
        <source>input</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>output</source>
        <translation>выход</translation>
    </message>
    <message>
        <source>data</source>
        <translation>данные</translation>
    </message>
    <message>
        <source>skip</source>
        <translation>обход</translation>
    </message>
    <message>
        <source>branch</source>
        <translation>ветвь</translation>
    </message>
    <message>
        <source>gate</source>
        <translation>вентиль</translation>
    </message>
    <message>
        <source>output = branch + shortcut (identity or projection)</source>
        <extracomment>what each kind means (kinds.json&apos;s &quot;meaning&quot;), for tooltips</extracomment>
        <translation>выход = ветвь + обходная связь (тождественная или проекция)</translation>
    </message>
    <message>
        <source>parallel branches concatenated</source>
        <translation>параллельные ветви, объединённые конкатенацией</translation>
    </message>
    <message>
        <source>the block&apos;s input concatenated with what it computed</source>
        <translation>вход блока, конкатенированный с тем, что блок вычислил</translation>
    </message>
    <message>
        <source>squeeze-and-excitation gate: pool, FC, sigmoid, multiply</source>
        <translation>вентиль squeeze-and-excitation: пулинг, полносвязный слой, сигмоида, умножение</translation>
    </message>
    <message>
        <source>short conv/BN branches summed (fusable into one conv)</source>
        <translation>короткие ветви свёртка/BN, сложенные (сливаются в одну свёртку)</translation>
    </message>
    <message>
        <source>gated carry: H*T + x*(1-T)</source>
        <translation>вентильный перенос: H*T + x*(1-T)</translation>
    </message>
    <message>
        <source>depthwise then pointwise convolution</source>
        <translation>поканальная, затем поточечная свёртка</translation>
    </message>
    <message>
        <source>a plain container</source>
        <translation>простой контейнер</translation>
    </message>
    <message>
        <source>convolution</source>
        <translation>свёртка</translation>
    </message>
    <message>
        <source>fully connected layer</source>
        <translation>полносвязный слой</translation>
    </message>
    <message>
        <source>normalisation</source>
        <translation>нормализация</translation>
    </message>
    <message>
        <source>activation</source>
        <translation>активация</translation>
    </message>
    <message>
        <source>pooling</source>
        <translation>пулинг</translation>
    </message>
    <message>
        <source>dropout / drop path</source>
        <translation>дропаут / дроп пути</translation>
    </message>
    <message>
        <source>other operation (add, cat, flatten ...)</source>
        <translation>прочая операция (сложение, конкатенация, выпрямление ...)</translation>
    </message>
    <message>
        <source>network input</source>
        <translation>вход сети</translation>
    </message>
    <message>
        <source>network output</source>
        <translation>выход сети</translation>
    </message>
</context>
<context>
    <name>LandscapePanel</name>
    <message>
        <source>points per axis (2 to 201); odd: the trained point is on the grid</source>
        <extracomment>computed on request, for the network: a new image or a cancelled run leaves it be</extracomment>
        <translation>точек на ось (от 2 до 201); нечётное: обученная точка на сетке</translation>
    </message>
    <message>
        <source>the first N images of the model&apos;s evaluation set (each grid point evaluates them all: fewer images, a faster sketch)</source>
        <translation>первые N изображений оценочного набора модели (каждая точка сетки оценивает их все: меньше изображений — быстрее набросок)</translation>
    </message>
    <message>
        <source>a second network, walked with the same settings and seed</source>
        <translation>вторая сеть, с теми же настройками и зерном</translation>
    </message>
    <message>
        <source>log</source>
        <translation>лог.</translation>
    </message>
    <message>
        <source>colours and isolines on log10 of the loss</source>
        <translation>цвета и изолинии по log10 потерь</translation>
    </message>
    <message>
        <source>the loss as a surface (drag to turn it)</source>
        <translation>потери как поверхность (тяните, чтобы повернуть)</translation>
    </message>
    <message>
        <source>no 3-D view here: {why}</source>
        <translation>трёхмерный вид недоступен: {why}</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Вычислить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Файлы...</translation>
    </message>
    <message>
        <source>show landscapes saved with  cnn-explorer landscape ... --json</source>
        <translation>показать ландшафты, сохранённые командой  cnn-explorer landscape ... --json</translation>
    </message>
    <message>
        <source>grid</source>
        <translation>сетка</translation>
    </message>
    <message>
        <source>range</source>
        <translation>диапазон</translation>
    </message>
    <message>
        <source>to</source>
        <translation>до</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>зерно</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>против</translation>
    </message>
    <message>
        <source>(none)</source>
        <extracomment>what is drawn: one landscape per pane (a pair: the shown network and the other)</extracomment>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>Load a network first.</source>
        <translation>Сначала загрузите сеть.</translation>
    </message>
    <message>
        <source>starting...</source>
        <translation>запуск...</translation>
    </message>
    <message>
        <source>cancelling after this point...</source>
        <translation>отмена после этой точки...</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>отменено</translation>
    </message>
    <message>
        <source>; the partial grid is cleared</source>
        <translation>; частичная сетка очищена</translation>
    </message>
    <message>
        <source>Open landscapes</source>
        <translation>Открыть ландшафты</translation>
    </message>
    <message>
        <source>Landscapes (*.json);;All files (*)</source>
        <translation>Ландшафты (*.json);;Все файлы (*)</translation>
    </message>
    <message>
        <source> vs </source>
        <translation> против </translation>
    </message>
    <message>
        <source>loss landscape (Li et al. 2018)</source>
        <translation>ландшафт функции потерь (Li et al. 2018)</translation>
    </message>
    <message>
        <source>left to right: {models}</source>
        <translation>слева направо: {models}</translation>
    </message>
    <message>
        <source>x (direction 1)</source>
        <translation>x (направление 1)</translation>
    </message>
    <message>
        <source>y (direction 2)</source>
        <translation>y (направление 2)</translation>
    </message>
    <message>
        <source>log10 loss</source>
        <translation>log10 потерь</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>потери</translation>
    </message>
    <message>
        <source>loss (log scale)</source>
        <translation>потери (лог. шкала)</translation>
    </message>
    <message>
        <source>x (along the direction)</source>
        <translation>x (вдоль направления)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Models</source>
        <translation>Модели</translation>
    </message>
    <message>
        <source>Inspector</source>
        <translation>Инспектор</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>Слияние</translation>
    </message>
    <message>
        <source>loading {name}</source>
        <translation>загрузка {name}</translation>
    </message>
    <message>
        <source>Cancelled loading {name}</source>
        <translation>Загрузка {name} отменена</translation>
    </message>
    <message>
        <source>{name} loaded in {seconds} s</source>
        <translation>{name} загружена за {seconds} с</translation>
    </message>
    <message>
        <source> (fused)</source>
        <translation> (слита)</translation>
    </message>
    <message>
        <source>Could not load {name}</source>
        <translation>Не удалось загрузить {name}</translation>
    </message>
    <message>
        <source>Model failed</source>
        <translation>Ошибка модели</translation>
    </message>
    <message>
        <source>{name} could not be loaded:

{message}</source>
        <translation>Не удалось загрузить {name}:

{message}</translation>
    </message>
</context>
<context>
    <name>ModelBrowser</name>
    <message>
        <source>Search models... (Enter opens)</source>
        <translation>Поиск (Enter — открыть)</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Модель</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>Год</translation>
    </message>
    <message>
        <source>{family} (beyond the lecture)</source>
        <translation>{family} (за рамками лекции)</translation>
    </message>
    <message>
        <source>Compare architectures</source>
        <translation>Сравнить архитектуры</translation>
    </message>
    <message>
        <source>Accuracy against operations, measured speed and compute density (Ctrl+K)</source>
        <translation>Точность против числа операций, измеренная скорость и плотность вычислений (Ctrl+K)</translation>
    </message>
</context>
<context>
    <name>Panel</name>
    <message>
        <source>Open an image to see this panel.</source>
        <extracomment>how much of a figure shows while its replacement is computed what the panel says before its first figures (a source text of the &quot;Panels&quot; context)</extracomment>
        <translation>Откройте изображение, чтобы увидеть эту панель.</translation>
    </message>
    <message>
        <source>Export panel...</source>
        <translation>Экспорт панели...</translation>
    </message>
    <message>
        <source>Save this panel&apos;s figure as PNG, SVG or PDF, at a size</source>
        <translation>Сохранить рисунок панели в PNG, SVG или PDF нужного размера</translation>
    </message>
    <message>
        <source>updating...</source>
        <extracomment>the widgets that draw the figures: dimmed (not emptied) while new ones are computed</extracomment>
        <translation>обновление...</translation>
    </message>
    <message>
        <source>Export {title}</source>
        <translation>Экспорт: {title}</translation>
    </message>
    <message>
        <source>not saved: {reason}</source>
        <translation>не сохранено: {reason}</translation>
    </message>
    <message>
        <source>saved {path}</source>
        <translation>сохранено: {path}</translation>
    </message>
</context>
<context>
    <name>Panels</name>
    <message>
        <source>loss</source>
        <translation>потери</translation>
    </message>
    <message>
        <source>(nothing deleted)</source>
        <translation>(ничего не удалено)</translation>
    </message>
    <message>
        <source>agreement with intact</source>
        <translation>совпадение с исходной</translation>
    </message>
    <message>
        <source>Accuracy</source>
        <translation>Точность</translation>
    </message>
    <message>
        <source>Delete blocks (Delete key, right-click, inspector) to see the change.</source>
        <translation>Удалите блоки (клавиша Delete, правый щелчок, инспектор), чтобы увидеть изменение.</translation>
    </message>
    <message>
        <source>Activation std</source>
        <translation>СКО активаций</translation>
    </message>
    <message>
        <source>1920x1080 (16:9 slide)...</source>
        <translation>1920x1080 (слайд 16:9)...</translation>
    </message>
    <message>
        <source>1280x720 (16:9)...</source>
        <translation>1280x720 (16:9)...</translation>
    </message>
    <message>
        <source>1024x768 (4:3 slide)...</source>
        <translation>1024x768 (слайд 4:3)...</translation>
    </message>
    <message>
        <source>1920x540 (half a 16:9 slide)...</source>
        <translation>1920x540 (половина слайда 16:9)...</translation>
    </message>
    <message>
        <source>as shown...</source>
        <translation>как на экране...</translation>
    </message>
    <message>
        <source>Feature maps</source>
        <translation>Карты признаков</translation>
    </message>
    <message>
        <source>Receptive field</source>
        <extracomment>the evaluation images a comparison averages over (as ``rf --effective`` does by default)</extracomment>
        <translation>Рецептивное поле</translation>
    </message>
    <message>
        <source>Run an image, then pick a layer with the slider (or select a block) and click the image.</source>
        <translation>Пропустите изображение через сеть, затем выберите слой ползунком (или блок) и щёлкните по изображению.</translation>
    </message>
    <message>
        <source>Highway gates</source>
        <translation>Вентили highway</translation>
    </message>
    <message>
        <source>Landscape</source>
        <extracomment>images per grid point by default: an 11x11 pair of resnet56 and plain56 in minutes</extracomment>
        <translation>Ландшафт</translation>
    </message>
    <message>
        <source>The loss around the trained weights along two random filter-normalised directions (Li et al. 2018). Choose a grid and press Compute; resnet56 against plain56 is the lecture&apos;s slide.</source>
        <translation>Функция потерь вокруг обученных весов вдоль двух случайных направлений, нормированных по фильтрам (Li et al. 2018). Выберите сетку и нажмите «Вычислить»; resnet56 против plain56 — слайд из лекции.</translation>
    </message>
    <message>
        <source>the &apos;{platform}&apos; display has no OpenGL</source>
        <translation>у дисплея &apos;{platform}&apos; нет OpenGL</translation>
    </message>
    <message>
        <source>PyOpenGL is not installed (pip install PyOpenGL)</source>
        <translation>PyOpenGL не установлен (pip install PyOpenGL)</translation>
    </message>
    <message>
        <source>Paths</source>
        <extracomment>the network compared with the shown one: its curves and its effective range</extracomment>
        <translation>Пути</translation>
    </message>
    <message>
        <source>A residual network of n blocks is 2^n paths, C(n, k) of them through k residual branches (Veit et al. 2016). Press Compute to measure the gradient each path length carries to the input.</source>
        <translation>Остаточная сеть из n блоков — это 2^n путей, C(n, k) из них проходят через k остаточных ветвей (Veit et al. 2016). Нажмите «Вычислить», чтобы измерить градиент, который пути каждой длины доносят до входа.</translation>
    </message>
    <message>
        <source>Predictions</source>
        <translation>Предсказания</translation>
    </message>
    <message>
        <source>SE weights</source>
        <translation>Веса SE</translation>
    </message>
    <message>
        <source>Sweeps</source>
        <translation>Серии удалений</translation>
    </message>
    <message>
        <source>No sweep yet: the buttons below start one (what each shows is said beneath).</source>
        <translation>Серий ещё не было: кнопки ниже запускают серию (что показывает каждая — сказано под ними).</translation>
    </message>
</context>
<context>
    <name>PanelsControl</name>
    <message>
        <source>loading {name}...</source>
        <extracomment>the lanes whose work the panels&apos; busy bar shows (loading a model has its own bar)</extracomment>
        <translation>загрузка {name}...</translation>
    </message>
    <message>
        <source>this panel failed: {error}</source>
        <translation>ошибка панели: {error}</translation>
    </message>
    <message>
        <source>Run failed: {message}</source>
        <translation>Прогон не удался: {message}</translation>
    </message>
    <message>
        <source>the run failed: {message}</source>
        <translation>прогон не удался: {message}</translation>
    </message>
    <message>
        <source>evaluating...</source>
        <translation>оценка...</translation>
    </message>
    <message>
        <source>cancelled: delete a block or run a sweep to start again</source>
        <translation>отменено: удалите блок или запустите серию, чтобы начать снова</translation>
    </message>
    <message>
        <source>Run cancelled</source>
        <translation>Прогон отменён</translation>
    </message>
    <message>
        <source>cancelled: change the image, weights or block to run again</source>
        <translation>отменено: смените изображение, веса или блок, чтобы запустить снова</translation>
    </message>
</context>
<context>
    <name>PathsPanel</name>
    <message>
        <source>the first N images of the model&apos;s evaluation set</source>
        <extracomment>computed on request, for the network: a new image or a cancelled run leaves it be</extracomment>
        <translation>первые N изображений оценочного набора модели</translation>
    </message>
    <message>
        <source>paths measured per length (every one where a length has no more; the paper: 1,000); the time grows with images x paths</source>
        <translation>путей, измеряемых на длину (все, если их меньше; в статье: 1000); время растёт как изображения x пути</translation>
    </message>
    <message>
        <source>seed of the paths drawn</source>
        <translation>зерно выборки путей</translation>
    </message>
    <message>
        <source>a second network, sampled with the same settings and drawn on the same axes</source>
        <translation>вторая сеть, с теми же настройками, на тех же осях</translation>
    </message>
    <message>
        <source>Compute</source>
        <translation>Вычислить</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>images</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>paths per length</source>
        <translation>путей на длину</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>зерно</translation>
    </message>
    <message>
        <source>vs</source>
        <translation>против</translation>
    </message>
    <message>
        <source>the first three blocks unraveled into 8 paths (Veit et al., Fig. 1b)</source>
        <translation>первые три блока, развёрнутые в 8 путей (Veit et al., рис. 1b)</translation>
    </message>
    <message>
        <source>(none)</source>
        <extracomment>the compared network&apos;s result (None: none compared, or not yet)</extracomment>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>Load a network first.</source>
        <translation>Сначала загрузите сеть.</translation>
    </message>
    <message>
        <source>{model} has no residual blocks.</source>
        <translation>В {model} нет остаточных блоков.</translation>
    </message>
    <message>
        <source>building {model}</source>
        <translation>построение {model}</translation>
    </message>
    <message>
        <source>starting...</source>
        <translation>запуск...</translation>
    </message>
    <message>
        <source>cancelling after this length...</source>
        <translation>отмена после этой длины...</translation>
    </message>
    <message>
        <source>cancelled; the partial curves are cleared</source>
        <translation>отменено; частичные кривые очищены</translation>
    </message>
    <message>
        <source>effective paths {lo}-{hi} of {n}</source>
        <translation>эффективные пути {lo}-{hi} из {n}</translation>
    </message>
    <message>
        <source>an ensemble of {n} paths; {where}</source>
        <translation>ансамбль из {n} путей; {where}</translation>
    </message>
    <message>
        <source>(red): {n} paths</source>
        <translation>(красный): путей {n}</translation>
    </message>
    <message>
        <source>, effective {lo}-{hi} of {n}</source>
        <translation>, эффективные {lo}-{hi} из {n}</translation>
    </message>
    <message>
        <source>a: paths by length</source>
        <translation>a: пути по длине</translation>
    </message>
    <message>
        <source>paths</source>
        <translation>пути</translation>
    </message>
    <message>
        <source>b: |gradient| at the input, one path</source>
        <translation>b: |градиент| на входе, один путь</translation>
    </message>
    <message>
        <source>norm (log scale)</source>
        <translation>норма (лог. шкала)</translation>
    </message>
    <message>
        <source>c: total by length</source>
        <translation>c: сумма по длине</translation>
    </message>
    <message>
        <source>paths × norm</source>
        <translation>пути × норма</translation>
    </message>
    <message>
        <source>path length k</source>
        <translation>длина пути k</translation>
    </message>
    <message>
        <source>c: total, effective {lo}-{hi} shaded</source>
        <translation>c: сумма, эффективные {lo}-{hi} закрашены</translation>
    </message>
    <message>
        <source>out</source>
        <translation>выход</translation>
    </message>
    <message>
        <source>in</source>
        <translation>вход</translation>
    </message>
    <message>
        <source>{n} paths by length {counts}</source>
        <translation>путей: {n}, по длине {counts}</translation>
    </message>
    <message>
        <source>grey: skip</source>
        <translation>серый: обход</translation>
    </message>
</context>
<context>
    <name>PredictionsPanel</name>
    <message>
        <source>The input as the model sees it (after resize, crop and scaling)</source>
        <translation>Вход таким, каким его видит модель (после изменения размера, обрезки и масштабирования)</translation>
    </message>
    <message>
        <source>class</source>
        <translation>класс</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>вероятность</translation>
    </message>
    <message>
        <source>resize {resize}, centre-crop {size}, mean {mean}, std {std}, {colour}, {how}</source>
        <translation>масштаб {resize}, центр. обрезка {size}, среднее {mean}, СКО {std}, {colour}, {how}</translation>
    </message>
    <message>
        <source>grey</source>
        <translation>оттенки серого</translation>
    </message>
    <message>
        <source>{w}x{h} as the model sees it</source>
        <translation>{w}x{h}, как видит модель</translation>
    </message>
    <message>
        <source>weights: {label}</source>
        <translation>веса: {label}</translation>
    </message>
    <message>
        <source>{ms} ms on {device}</source>
        <translation>{ms} мс на {device}</translation>
    </message>
    <message>
        <source>image: {notes}</source>
        <translation>изображение: {notes}</translation>
    </message>
    <message>
        <source>&lt;b&gt;not numbers&lt;/b&gt;: the model&apos;s outputs hold NaN or infinity, so these probabilities are not numbers (NaN or infinite weights, or values that overflow)</source>
        <translation>&lt;b&gt;не числа&lt;/b&gt;: выходы модели содержат NaN или бесконечность, поэтому эти вероятности — не числа (веса NaN или бесконечные, либо переполнение)</translation>
    </message>
    <message>
        <source>&lt;b&gt;untrained weights&lt;/b&gt;: these probabilities mean nothing</source>
        <translation>&lt;b&gt;необученные веса&lt;/b&gt;: эти вероятности ничего не значат</translation>
    </message>
</context>
<context>
    <name>RunControl</name>
    <message>
        <source>Only for the networks trained on digits (lenet5, resnet56, vgg_small ...)</source>
        <extracomment>the draw pad&apos;s action, for a network not trained on digits</extracomment>
        <translation>Только для сетей, обученных на цифрах (lenet5, resnet56, vgg_small ...)</translation>
    </message>
    <message>
        <source>Draw a digit...</source>
        <translation>Нарисовать цифру...</translation>
    </message>
    <message>
        <source>Draw a digit</source>
        <comment>the toolbar&apos;s short name</comment>
        <translation>От руки...</translation>
    </message>
    <message>
        <source>Invert light backgrounds (digits networks)</source>
        <translation>Инвертировать светлый фон (сети для цифр)</translation>
    </message>
    <message>
        <source>A digit drawn dark on light paper is inverted to white on black, as the digits networks were trained (a note says so)</source>
        <translation>Цифра, нарисованная тёмным по светлому, инвертируется в белую на чёрном, как обучались сети для цифр (об этом есть пометка)</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>Open a checkpoint</source>
        <translation>Открыть контрольную точку</translation>
    </message>
    <message>
        <source>Checkpoints ({patterns});;All (*)</source>
        <translation>Контрольные точки ({patterns});;Все (*)</translation>
    </message>
    <message>
        <source>loading weights</source>
        <translation>загрузка весов</translation>
    </message>
    <message>
        <source>Weights not loaded</source>
        <translation>Веса не загружены</translation>
    </message>
    <message>
        <source>file: {label}</source>
        <translation>файл: {label}</translation>
    </message>
    <message>
        <source>{image} looks like a photo and {model} was trained on 8x8 digits, white on black</source>
        <translation>{image} похоже на фотографию, а {model} обучена на цифрах 8x8, белых на чёрном</translation>
    </message>
    <message>
        <source>{image} is an 8x8 digit and {model} was trained on ImageNet photos</source>
        <translation>{image} — цифра 8x8, а {model} обучена на фотографиях ImageNet</translation>
    </message>
    <message>
        <source>{why}: showing {other} instead ({image} is still in the image list)</source>
        <translation>{why}: вместо него показано {other} ({image} остаётся в списке изображений)</translation>
    </message>
    <message>
        <source>Draw a digit with the mouse, a pen or a finger: the panels follow as you draw</source>
        <translation>Нарисуйте цифру мышью, пером или пальцем: панели обновляются по ходу рисования</translation>
    </message>
    <message>
        <source>this network</source>
        <translation>эта сеть</translation>
    </message>
    <message>
        <source>{model} was not trained on digits. {why}.</source>
        <translation>{model} не обучалась на цифрах. {why}.</translation>
    </message>
    <message>
        <source>Draw a digit</source>
        <translation>Нарисовать цифру</translation>
    </message>
    <message>
        <source>running</source>
        <translation>прогон</translation>
    </message>
</context>
<context>
    <name>SEWeightsPanel</name>
    <message>
        <source>SE block</source>
        <translation>SE-блок</translation>
    </message>
    <message>
        <source>image B: the toolbar&apos;s &apos;compare&apos; box</source>
        <translation>изображение B: поле «сравнить» на панели инструментов</translation>
    </message>
    <message>
        <source>Choose image B there to set two images&apos; gates side by side</source>
        <translation>Выберите там изображение B, чтобы сравнить вентили двух изображений</translation>
    </message>
    <message>
        <source>gate per channel</source>
        <translation>вентиль по каналам</translation>
    </message>
    <message>
        <source>channel</source>
        <translation>канал</translation>
    </message>
    <message>
        <source>gate (sigmoid)</source>
        <translation>вентиль (сигмоида)</translation>
    </message>
    <message>
        <source>SE blocks x channels, image A (dark 0, yellow 1; blank: no such channel)</source>
        <translation>SE-блоки x каналы, изображение A (тёмный 0, жёлтый 1; пусто: канала нет)</translation>
    </message>
    <message>
        <source>SE block (click a row)</source>
        <translation>SE-блок (щёлкните строку)</translation>
    </message>
    <message>
        <source>This model has no squeeze-and-excitation blocks.</source>
        <translation>В этой модели нет блоков squeeze-and-excitation.</translation>
    </message>
    <message>
        <source>{n} SE blocks; gates of {images} (0 = channel suppressed, 1 = kept).</source>
        <translation>SE-блоков: {n}; вентили для {images} (0 = канал подавлен, 1 = сохранён).</translation>
    </message>
    <message>
        <source> and </source>
        <translation> и </translation>
    </message>
    <message>
        <source>image {i}</source>
        <translation>изображение {i}</translation>
    </message>
    <message>
        <source>{block}: gate per channel ({n} channels)</source>
        <translation>{block}: вентиль по каналам (каналов: {n})</translation>
    </message>
</context>
<context>
    <name>SideBySideView</name>
    <message>
        <source>only in this pane, in this stage: {kinds}</source>
        <translation>только в этой панели, в этой стадии: {kinds}</translation>
    </message>
    <message>
        <source>skip</source>
        <translation>обход</translation>
    </message>
    <message>
        <source>proj</source>
        <translation>проекц.</translation>
    </message>
    <message>
        <source>gate</source>
        <translation>вентиль</translation>
    </message>
    <message>
        <source>incep.</source>
        <translation>incep.</translation>
    </message>
    <message>
        <source>dense</source>
        <translation>плотн.</translation>
    </message>
    <message>
        <source>skip connection</source>
        <extracomment>the add-ons the core marks (explorer.present.side_by_side), for the catalogue</extracomment>
        <translation>обходная связь</translation>
    </message>
    <message>
        <source>projection shortcut</source>
        <translation>проекционная обходная связь</translation>
    </message>
    <message>
        <source>SE gate</source>
        <translation>вентиль SE</translation>
    </message>
    <message>
        <source>highway gate</source>
        <translation>вентиль highway</translation>
    </message>
    <message>
        <source>1x1 branch</source>
        <translation>ветвь 1x1</translation>
    </message>
    <message>
        <source>identity branch</source>
        <translation>тождественная ветвь</translation>
    </message>
    <message>
        <source>inception module</source>
        <translation>модуль inception</translation>
    </message>
    <message>
        <source>dense concat</source>
        <translation>плотная конкатенация</translation>
    </message>
    <message>
        <source>ResNet Fig. 3</source>
        <extracomment>the core&apos;s preset titles (explorer.present.side_by_side.PRESETS), for the catalogue</extracomment>
        <translation>ResNet, рис. 3</translation>
    </message>
    <message>
        <source>plain vs residual, CIFAR</source>
        <translation>обычная против остаточной, CIFAR</translation>
    </message>
    <message>
        <source>SE</source>
        <translation>SE</translation>
    </message>
    <message>
        <source>RepVGG train vs deploy</source>
        <translation>RepVGG: обучение против развёртывания</translation>
    </message>
    <message>
        <source>Inception v1 vs v3</source>
        <translation>Inception v1 против v3</translation>
    </message>
    <message>
        <source>out {shape}</source>
        <translation>выход {shape}</translation>
    </message>
    <message>
        <source>{n} params</source>
        <translation>{n} парам.</translation>
    </message>
    <message>
        <source>RF {rf} px</source>
        <translation>РП {rf} пикс.</translation>
    </message>
    <message>
        <source>only here in this stage: {kinds}</source>
        <translation>только здесь в этой стадии: {kinds}</translation>
    </message>
    <message>
        <source>{n} blocks</source>
        <translation>блоков: {n}</translation>
    </message>
    <message>
        <source>stage {what}</source>
        <translation>стадия {what}</translation>
    </message>
    <message>
        <source>no stage at this step ({row})</source>
        <translation>нет стадии на этом шаге ({row})</translation>
    </message>
    <message>
        <source>(model)</source>
        <translation>(модель)</translation>
    </message>
    <message>
        <source>Presets...</source>
        <translation>Наборы...</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(нет)</translation>
    </message>
    <message>
        <source>network {i} (NAME+fused: a RepVGG network&apos;s deploy form)</source>
        <translation>сеть {i} (ИМЯ+fused: форма RepVGG для развёртывания)</translation>
    </message>
    <message>
        <source>detail: blocks</source>
        <translation>детали: блоки</translation>
    </message>
    <message>
        <source>detail: layers</source>
        <translation>детали: слои</translation>
    </message>
    <message>
        <source>blocks: each block one box (xN for a run of equal ones); layers: every block open</source>
        <translation>блоки: каждый блок одним прямоугольником (xN для ряда одинаковых); слои: все блоки раскрыты</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Показать</translation>
    </message>
    <message>
        <source>Fit</source>
        <translation>Вписать</translation>
    </message>
    <message>
        <source>Back to the graph</source>
        <translation>Назад к графу</translation>
    </message>
    <message>
        <source>Choose a preset or two or three networks, then Show.</source>
        <translation>Выберите набор или две-три сети, затем «Показать».</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Run the image through every pane</source>
        <translation>Пропустить изображение через каждую панель</translation>
    </message>
    <message>
        <source>The window&apos;s current image (else a sample: a digit for digit networks, a photo otherwise), through each network with its own weights and preprocessing</source>
        <translation>Текущее изображение окна (иначе пример: цифра для сетей на цифрах, иначе фотография) через каждую сеть с её весами и предобработкой</translation>
    </message>
    <message>
        <source>Stages</source>
        <translation>Стадии</translation>
    </message>
    <message>
        <source>Image across panes</source>
        <translation>Изображение по панелям</translation>
    </message>
    <message>
        <source>tracing {names}</source>
        <translation>трассировка {names}</translation>
    </message>
    <message>
        <source>side by side</source>
        <translation>рядом</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Отменено.</translation>
    </message>
    <message>
        <source>Marked</source>
        <translation>Отмечено</translation>
    </message>
    <message>
        <source>what one pane has and another lacks in the same stage ({marks})</source>
        <translation>то, что есть в одной панели и чего нет в другой в той же стадии ({marks})</translation>
    </message>
    <message>
        <source>. No add-on in one pane that another lacks.</source>
        <translation>. Нет надстроек, которые есть в одной панели и отсутствуют в другой.</translation>
    </message>
    <message>
        <source>click a block or a stage</source>
        <translation>щёлкните блок или стадию</translation>
    </message>
    <message>
        <source>stage</source>
        <translation>стадия</translation>
    </message>
    <message>
        <source>{name} blocks</source>
        <translation>блоки {name}</translation>
    </message>
    <message>
        <source>params</source>
        <translation>параметры</translation>
    </message>
    <message>
        <source>Δ params {name}</source>
        <translation>Δ параметров {name}</translation>
    </message>
    <message>
        <source>total</source>
        <translation>всего</translation>
    </message>
    <message>
        <source>{b} against {a}: has {more}; lacks {less}</source>
        <translation>{b} против {a}: есть {more}; нет {less}</translation>
    </message>
    <message>
        <source>nothing more</source>
        <translation>ничего сверх</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>ничего</translation>
    </message>
    <message>
        <source>no block in this stage</source>
        <translation>нет блока в этой стадии</translation>
    </message>
    <message>
        <source>show networks side by side first</source>
        <translation>сначала покажите сети рядом</translation>
    </message>
    <message>
        <source>the networks are still being traced</source>
        <translation>сети ещё трассируются</translation>
    </message>
    <message>
        <source>running {image}</source>
        <translation>прогон {image}</translation>
    </message>
    <message>
        <source>image across panes</source>
        <translation>изображение по панелям</translation>
    </message>
    <message>
        <source>Export PNG</source>
        <translation>Экспорт PNG</translation>
    </message>
    <message>
        <source>Saved {path}</source>
        <translation>Сохранено: {path}</translation>
    </message>
    <message>
        <source>Export failed</source>
        <translation>Экспорт не удался</translation>
    </message>
    <message>
        <source>Could not write {path}</source>
        <translation>Не удалось записать {path}</translation>
    </message>
</context>
<context>
    <name>SpeedTab</name>
    <message>
        <source>Filter networks...</source>
        <extracomment>measured by default: the networks of RepVGG&apos;s speed argument and two references matrix size of the peak measurement (None: the device&apos;s default); tests shrink it what else is timing now (the view sets it), e.g. &quot;the kernel-size experiment&quot;</extracomment>
        <translation>Фильтр сетей...</translation>
    </message>
    <message>
        <source>{family} ({year}), input {size}</source>
        <translation>{family} ({year}), вход {size}</translation>
    </message>
    <message>
        <source>Networks to measure</source>
        <translation>Сети для измерения</translation>
    </message>
    <message>
        <source>default</source>
        <translation>по умолч.</translation>
    </message>
    <message>
        <source>Images per pass; default: 64 on a CUDA GPU, 8 elsewhere</source>
        <translation>Изображений за проход; по умолчанию: 64 на GPU CUDA, иначе 8</translation>
    </message>
    <message>
        <source>own</source>
        <translation>своё</translation>
    </message>
    <message>
        <source>Input height = width; &apos;own&apos;: each network&apos;s own input size</source>
        <translation>Высота = ширина входа; «своё»: собственный размер входа каждой сети</translation>
    </message>
    <message>
        <source>also fused (RepVGG)</source>
        <translation>и слитые (RepVGG)</translation>
    </message>
    <message>
        <source>Also measure the deploy form of RepVGG networks</source>
        <translation>Измерить также форму развёртывания сетей RepVGG</translation>
    </message>
    <message>
        <source>layer kinds</source>
        <translation>виды слоёв</translation>
    </message>
    <message>
        <source>Also time each layer kind (an instrumented pass; see the Density tab)</source>
        <translation>Замерить также каждый вид слоя (инструментированный проход; см. вкладку «Плотность»)</translation>
    </message>
    <message>
        <source>device</source>
        <translation>устр.</translation>
    </message>
    <message>
        <source>precision</source>
        <translation>точность</translation>
    </message>
    <message>
        <source>batch</source>
        <translation>пакет</translation>
    </message>
    <message>
        <source>resolution</source>
        <translation>разрешение</translation>
    </message>
    <message>
        <source>rounds</source>
        <translation>раунды</translation>
    </message>
    <message>
        <source>warm-up</source>
        <translation>прогрев</translation>
    </message>
    <message>
        <source>Measure</source>
        <translation>Измерить</translation>
    </message>
    <message>
        <source>Build the checked networks, warm them up and time them in interleaved rounds, with a large matrix product for the device&apos;s peak</source>
        <translation>Построить отмеченные сети, прогреть их и замерить чередующимися раундами, с большим матричным произведением для пика устройства</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Copy table</source>
        <translation>Копировать таблицу</translation>
    </message>
    <message>
        <source>Check networks and press Measure. Other work in the window slows a measurement.</source>
        <translation>Отметьте сети и нажмите «Измерить». Другая работа в окне замедляет измерение.</translation>
    </message>
    <message>
        <source>Wait for {other} to end: two timings at once disturb each other.</source>
        <translation>Дождитесь окончания {other}: два замера одновременно мешают друг другу.</translation>
    </message>
    <message>
        <source>Check at least one network to measure.</source>
        <translation>Отметьте хотя бы одну сеть для измерения.</translation>
    </message>
    <message>
        <source>measuring speed</source>
        <translation>измерение скорости</translation>
    </message>
    <message>
        <source>Measuring networks: {n}...</source>
        <translation>Измерение сетей: {n}...</translation>
    </message>
    <message>
        <source>Cancelling after the current run...</source>
        <translation>Отмена после текущего прогона...</translation>
    </message>
    <message>
        <source>Done in {seconds} s on {device}.</source>
        <translation>Готово за {seconds} с на {device}.</translation>
    </message>
    <message>
        <source> Not measured: {failed}</source>
        <translation> Не измерены: {failed}</translation>
    </message>
    <message>
        <source>Cancelled; the rows show the rounds measured before.</source>
        <translation>Отменено; в строках — раунды, измеренные до этого.</translation>
    </message>
    <message>
        <source>Cancelled before the first round.</source>
        <translation>Отменено до первого раунда.</translation>
    </message>
    <message>
        <source>Peak of {device}: {gflops} GFLOP/s ({n}x{n} matrix product, {dtype}, spread {spread} %); batch {batch}, median of {rounds} rounds</source>
        <translation>Пик {device}: {gflops} GFLOP/s (матричное произведение {n}x{n}, {dtype}, разброс {spread} %); пакет {batch}, медиана из {rounds} раундов</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>{params} params · {gmacs} GMACs</source>
        <translation>{params} парам. · {gmacs} GMAC</translation>
    </message>
    <message>
        <source>fused</source>
        <translation>слита</translation>
    </message>
    <message>
        <source>{params} params | {gmacs} GMACs | input {shape} | graph by {how}</source>
        <translation>{params} парам. | {gmacs} GMAC | вход {shape} | граф: {how}</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Готово</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>device: -</source>
        <translation>устройство: -</translation>
    </message>
    <message>
        <source>Loading {name}...</source>
        <translation>Загрузка {name}...</translation>
    </message>
    <message>
        <source>weights: {label}</source>
        <translation>веса: {label}</translation>
    </message>
    <message>
        <source> (+{n} more)</source>
        <translation> (и ещё {n})</translation>
    </message>
    <message>
        <source>device {device} ({precision})</source>
        <translation>устройство {device} ({precision})</translation>
    </message>
    <message>
        <source>last forward {ms} ms</source>
        <translation>последний прямой проход {ms} мс</translation>
    </message>
    <message>
        <source>on {device} ({precision})</source>
        <translation>на {device} ({precision})</translation>
    </message>
    <message>
        <source>{n} block deleted</source>
        <translation>удалён блок: {n}</translation>
    </message>
    <message>
        <source>{n} blocks deleted</source>
        <translation>удалено блоков: {n}</translation>
    </message>
</context>
<context>
    <name>SweepsPanel</name>
    <message>
        <source>Each block alone</source>
        <translation>Каждый блок по одному</translation>
    </message>
    <message>
        <source>k random blocks</source>
        <translation>k случайных блоков</translation>
    </message>
    <message>
        <source>Reorder blocks</source>
        <translation>Перестановка блоков</translation>
    </message>
    <message>
        <source>k up to</source>
        <translation>k до</translation>
    </message>
    <message>
        <source>trials</source>
        <translation>испытаний</translation>
    </message>
    <message>
        <source>Export CSV...</source>
        <translation>Экспорт CSV...</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sweeps&lt;/b&gt; delete blocks and measure the network again on the Accuracy tab&apos;s set (Veit et al. 2016, residual networks behave like ensembles of shallow ones):&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Each block alone&lt;/b&gt;: one bar per block, the top-1 accuracy with that block deleted (their Fig. 3);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;k random blocks&lt;/b&gt;: accuracy as more blocks go at random, mean &amp;plusmn; std over the trials (Fig. 5a);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Reorder blocks&lt;/b&gt;: blocks of a stage shuffled; accuracy against how far the order moved (Kendall tau, Fig. 5b).&lt;br&gt;Press one of the buttons above to start; the intact network is marked by a dashed line.</source>
        <translation>&lt;b&gt;Серии удалений&lt;/b&gt; удаляют блоки и заново измеряют сеть на наборе вкладки «Точность» (Veit et al. 2016: остаточные сети ведут себя как ансамбли неглубоких):&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Каждый блок по одному&lt;/b&gt;: по столбцу на блок, top-1 точность без этого блока (их рис. 3);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;k случайных блоков&lt;/b&gt;: точность по мере удаления случайных блоков, среднее &amp;plusmn; СКО по испытаниям (рис. 5a);&lt;br&gt;&amp;nbsp;&amp;bull; &lt;b&gt;Перестановка блоков&lt;/b&gt;: блоки стадии перемешаны; точность в зависимости от того, насколько сдвинулся порядок (тау Кендалла, рис. 5b).&lt;br&gt;Нажмите одну из кнопок выше, чтобы начать; исходная сеть отмечена пунктиром.</translation>
    </message>
    <message>
        <source>each block alone: {percent} % of the images so far</source>
        <translation>каждый блок по одному: пока {percent} % изображений</translation>
    </message>
    <message>
        <source>(no labels: agreement)</source>
        <translation>(нет меток: совпадение)</translation>
    </message>
    <message>
        <source>{sweep} on {data} ({n} images); intact {base}</source>
        <translation>{sweep} на {data} (изображений: {n}); исходная {base}</translation>
    </message>
    <message>
        <source>agreement with the intact network %</source>
        <translation>совпадение с исходной сетью, %</translation>
    </message>
    <message>
        <source>intact network</source>
        <translation>исходная сеть</translation>
    </message>
    <message>
        <source>y axis from {lo} %, not 0</source>
        <translation>ось y от {lo} %, не от 0</translation>
    </message>
    <message>
        <source>deleted block (click a bar to select it)</source>
        <translation>удалённый блок (щёлкните столбец, чтобы выбрать его)</translation>
    </message>
    <message>
        <source>k blocks deleted at random (mean ± std)</source>
        <translation>k блоков удалено случайно (среднее ± СКО)</translation>
    </message>
    <message>
        <source>Kendall tau of the block order (1: unchanged)</source>
        <translation>тау Кендалла порядка блоков (1: без изменений)</translation>
    </message>
    <message>
        <source>Export CSV</source>
        <translation>Экспорт CSV</translation>
    </message>
</context>
<context>
    <name>Window</name>
    <message>
        <source>Graph</source>
        <translation>Граф</translation>
    </message>
    <message>
        <source>no model</source>
        <translation>нет модели</translation>
    </message>
    <message>
        <source>Find block (Ctrl+F)</source>
        <translation>Найти блок (Ctrl+F)</translation>
    </message>
    <message>
        <source>Expand all</source>
        <translation>Раскрыть все</translation>
    </message>
    <message>
        <source>Collapse to depth</source>
        <translation>Свернуть до глубины</translation>
    </message>
    <message>
        <source>Collapse to</source>
        <translation>Свернуть до</translation>
    </message>
    <message>
        <source>Close every block deeper than the depth beside</source>
        <translation>Закрыть все блоки глубже указанной рядом глубины</translation>
    </message>
    <message>
        <source>The depth &apos;Collapse to&apos; keeps open</source>
        <translation>Глубина, которую «Свернуть до» оставляет открытой</translation>
    </message>
    <message>
        <source>Default view</source>
        <translation>Вид по умолчанию</translation>
    </message>
    <message>
        <source>Default</source>
        <translation>Исходный</translation>
    </message>
    <message>
        <source>colour</source>
        <translation>цвет</translation>
    </message>
    <message>
        <source>Fit (F)</source>
        <translation>Вписать (F)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Отмена</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>Панели</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>Open images...</source>
        <translation>Открыть изображения...</translation>
    </message>
    <message>
        <source>Open...</source>
        <translation>Файлы...</translation>
    </message>
    <message>
        <source>Open a folder of images...</source>
        <translation>Открыть папку с изображениями...</translation>
    </message>
    <message>
        <source>Folder...</source>
        <translation>Папка...</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>Примеры</translation>
    </message>
    <message>
        <source>Paste image</source>
        <translation>Вставить изображение</translation>
    </message>
    <message>
        <source>Load weights from file...</source>
        <translation>Загрузить веса из файла...</translation>
    </message>
    <message>
        <source>Recent models</source>
        <translation>Недавние модели</translation>
    </message>
    <message>
        <source>Export graph as PNG...</source>
        <translation>Экспорт графа в PNG...</translation>
    </message>
    <message>
        <source>Export graph as SVG...</source>
        <translation>Экспорт графа в SVG...</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Правка</translation>
    </message>
    <message>
        <source>Delete / restore block</source>
        <translation>Удалить / вернуть блок</translation>
    </message>
    <message>
        <source>Undo deletion</source>
        <translation>Отменить удаление</translation>
    </message>
    <message>
        <source>Redo deletion</source>
        <translation>Повторить удаление</translation>
    </message>
    <message>
        <source>Restore all blocks</source>
        <translation>Вернуть все блоки</translation>
    </message>
    <message>
        <source>Restore all</source>
        <translation>Вернуть все</translation>
    </message>
    <message>
        <source>&amp;Model</source>
        <translation>&amp;Модель</translation>
    </message>
    <message>
        <source>Weights</source>
        <translation>Веса</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Вид</translation>
    </message>
    <message>
        <source>Compare architectures</source>
        <translation>Сравнить архитектуры</translation>
    </message>
    <message>
        <source>Side by side...</source>
        <translation>Рядом...</translation>
    </message>
    <message>
        <source>Two or three networks aligned by stage, and what one has that another lacks</source>
        <translation>Две или три сети, выровненные по стадиям, и чем одна отличается от другой</translation>
    </message>
    <message>
        <source>Block graph</source>
        <translation>Граф блоков</translation>
    </message>
    <message>
        <source>Training curves: plain vs residual...</source>
        <translation>Кривые обучения: обычная и остаточная сеть...</translation>
    </message>
    <message>
        <source>Colour blocks by</source>
        <translation>Окраска блоков</translation>
    </message>
    <message>
        <source>Norms and activations as boxes</source>
        <translation>Нормализации и активации отдельными блоками</translation>
    </message>
    <message>
        <source>Off (as on a slide): a BN or ReLU right after a conv is a mark in the conv&apos;s box</source>
        <translation>Выключено (как на слайде): BN или ReLU сразу после свёртки — пометка в блоке свёртки</translation>
    </message>
    <message>
        <source>Find block</source>
        <translation>Найти блок</translation>
    </message>
    <message>
        <source>Presentation mode</source>
        <translation>Режим презентации</translation>
    </message>
    <message>
        <source>Larger fonts and strokes, high contrast, the model list hidden (F5 again: as before)</source>
        <translation>Крупнее шрифты и линии, высокий контраст, список моделей скрыт (F5 ещё раз: как было)</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Язык</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>вид</translation>
    </message>
    <message>
        <source>params</source>
        <translation>параметры</translation>
    </message>
    <message>
        <source>MACs</source>
        <translation>MAC</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Язык системы</translation>
    </message>
    <message>
        <source>The language changes at the next start</source>
        <translation>Язык сменится при следующем запуске</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>Запуск</translation>
    </message>
    <message>
        <source>weights</source>
        <translation>веса</translation>
    </message>
    <message>
        <source>from file...</source>
        <translation>из файла...</translation>
    </message>
    <message>
        <source>Library pretrained weights, random ones, or a checkpoint</source>
        <translation>Предобученные веса библиотеки, случайные или контрольная точка</translation>
    </message>
    <message>
        <source>untrained</source>
        <translation>без обуч.</translation>
    </message>
    <message>
        <source>The model has random weights: its predictions mean nothing</source>
        <translation>У модели случайные веса: её предсказания ничего не значат</translation>
    </message>
    <message>
        <source>image</source>
        <translation>изобр.</translation>
    </message>
    <message>
        <source>Open image files (Ctrl+O)</source>
        <translation>Открыть файлы изображений (Ctrl+O)</translation>
    </message>
    <message>
        <source>compare</source>
        <translation>сравн.</translation>
    </message>
    <message>
        <source>A second image run beside the first (SE weights panel)</source>
        <translation>Второе изображение, пропускаемое рядом с первым (панель весов SE)</translation>
    </message>
    <message>
        <source>norm</source>
        <translation>норм.</translation>
    </message>
    <message>
        <source>weights&apos; own</source>
        <translation>как у весов</translation>
    </message>
    <message>
        <source>none</source>
        <translation>нет</translation>
    </message>
    <message>
        <source>The mean and std the image is normalised with (weights&apos; own: as the weights say)</source>
        <translation>Среднее и СКО, которыми нормализуется изображение («как у весов»: как указано в весах)</translation>
    </message>
    <message>
        <source>device</source>
        <translation>устр.</translation>
    </message>
    <message>
        <source>auto</source>
        <translation>авто</translation>
    </message>
    <message>
        <source>trained if available</source>
        <translation>обученные, если есть</translation>
    </message>
    <message>
        <source>bundled (trained on digits)</source>
        <translation>встроенные (обучены на цифрах)</translation>
    </message>
    <message>
        <source>pretrained</source>
        <translation>предобученные</translation>
    </message>
    <message>
        <source>random (untrained)</source>
        <translation>случайные (без обучения)</translation>
    </message>
</context>
</TS>
